"""Email content: Spanish by default, English by locale, local time with the zone named, no clinical details."""
from __future__ import annotations

from datetime import date, datetime, timezone

from clinic.notifications import content

VIEW = content.AppointmentView(
    appointment_id=7, patient_name="Ana", patient_email="ana@example.com", locale="es",
    starts_at=datetime(2031, 10, 26, 8, 0, tzinfo=timezone.utc), zone="Europe/Madrid", clinic_name="Clínica Central",
    clinic_address="Calle Mayor 1", doctor_name="Dra. Ruiz", service_name="Consulta general", doctor_id=3,
    service_id=4)


def test_spanish_by_default_with_local_time_zone_address_and_link():
    email = content.appointment_email("confirmation", VIEW, public_url="https://c.example")
    # 26 Oct 2031 is the day summer time ends in Madrid: 08:00 UTC is 09:00 CET.
    assert email.subject == "Cita confirmada: domingo 26 de octubre de 2031, 09:00 (Europe/Madrid)"
    assert "Clínica Central, Calle Mayor 1" in email.text and "Dra. Ruiz" in email.text
    assert "https://c.example/appointments/7" in email.text and "https://c.example/appointments/7" in email.html


def test_english_by_locale_and_unknown_locale_falls_back_to_spanish():
    en = content.appointment_email("reminder", VIEW.__class__(**{**VIEW.__dict__, "locale": "en"}), public_url="")
    assert en.subject == "Reminder of your appointment: Sunday 26 October 2031, 09:00 (Europe/Madrid)"
    xx = content.appointment_email("reminder", VIEW.__class__(**{**VIEW.__dict__, "locale": "fr"}), public_url="")
    assert xx.subject.startswith("Recordatorio")


def test_cancellation_links_to_rebooking_and_names_the_cause():
    email = content.appointment_email("cancelled", VIEW, public_url="https://c.example", cause="time_off")
    assert "https://c.example/book?doctor_id=3&service_id=4" in email.text
    assert "no estará disponible" in email.text


def test_html_is_escaped():
    view = VIEW.__class__(**{**VIEW.__dict__, "patient_name": "<script>x</script>"})
    assert "<script>" not in content.appointment_email("confirmation", view, public_url="").html


def test_agenda_lists_local_times_in_the_doctors_language():
    rows = [(datetime(2031, 6, 2, 7, 0, tzinfo=timezone.utc), "Ana", "Consulta")]
    email = content.agenda_email(doctor_name="Dr. Who", doctor_email="d@example.com", locale="en",
                                 day=date(2031, 6, 2), zone="Europe/Madrid", rows=rows, public_url="")
    assert email.subject == "Your agenda for Monday 2 June"
    assert "09:00  Ana — Consulta" in email.text
