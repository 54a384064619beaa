"""Email content: Spanish by default, English by locale, local time with the zone named, no clinical details."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from clinic.notifications import content

VIEW = content.EmailFacts(
    appointment_id=7,
    patient_name="Ana",
    patient_email="ana@example.com",
    locale="es",
    starts_at=datetime(2031, 10, 26, 8, 0, tzinfo=timezone.utc),
    zone="Europe/Madrid",
    clinic_name="Clínica Central",
    clinic_address="Calle Mayor 1",
    doctor_name="Dra. Ruiz",
    service_name="Consulta general",
    doctor_id=3,
    service_id=4,
)


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
    email = content.agenda_email(
        doctor_name="Dr. Who",
        doctor_email="d@example.com",
        locale="en",
        day=date(2031, 6, 2),
        zone="Europe/Madrid",
        rows=rows,
        public_url="",
    )
    assert email.subject == "Your agenda for Monday 2 June"
    assert "09:00  Ana — Consulta" in email.text


def test_a_time_in_the_repeated_hour_says_which_one():
    """31 Oct 2027 in Madrid: 02:00-02:59 happens twice (CEST, then CET); New York repeats 01:00 on 7 Nov."""
    first = VIEW.__class__(**{**VIEW.__dict__, "starts_at": datetime(2027, 10, 31, 0, 0, tzinfo=timezone.utc)})
    second = VIEW.__class__(**{**VIEW.__dict__, "starts_at": datetime(2027, 10, 31, 1, 0, tzinfo=timezone.utc)})
    assert (
        "domingo 31 de octubre de 2027, 02:00 CEST (Europe/Madrid)"
        in content.appointment_email("confirmation", first, public_url="").subject
    )
    assert "02:00 CET (Europe/Madrid)" in content.appointment_email("reminder", second, public_url="").text
    assert (
        content.local_time(datetime(2027, 11, 7, 5, 0, tzinfo=timezone.utc), "America/New_York", "en")
        == "Sunday 7 November 2027, 01:00 EDT (America/New_York)"
    )
    assert (
        content.local_time(datetime(2027, 11, 7, 6, 0, tzinfo=timezone.utc), "America/New_York", "en")
        == "Sunday 7 November 2027, 01:00 EST (America/New_York)"
    )
    # Times that name one instant (the spring gap's neighbours included) stay as they were.
    assert (
        content.local_time(datetime(2027, 3, 28, 1, 0, tzinfo=timezone.utc), "Europe/Madrid", "es")
        == "domingo 28 de marzo de 2027, 03:00 (Europe/Madrid)"
    )
    rows = [
        (datetime(2027, 11, 7, 5, 30, tzinfo=timezone.utc), "Ana", "Consulta"),
        (datetime(2027, 11, 7, 6, 30, tzinfo=timezone.utc), "Luis", "Consulta"),
    ]
    agenda = content.agenda_email(
        doctor_name="Dr. Who",
        doctor_email="d@example.com",
        locale="en",
        day=date(2027, 11, 7),
        zone="America/New_York",
        rows=rows,
        public_url="",
    )
    assert "01:30 EDT  Ana — Consulta" in agenda.text and "01:30 EST  Luis — Consulta" in agenda.text


def test_the_confirmation_offers_google_and_outlook_links_with_the_instants():
    view = VIEW.__class__(**{**VIEW.__dict__, "ends_at": VIEW.starts_at + timedelta(minutes=30)})
    email = content.appointment_email("confirmation", view, public_url="https://c.example")
    google = next(line for line in email.text.splitlines() if line.startswith("Añadir a Google Calendar: "))
    query = parse_qs(urlsplit(google.split(": ", 1)[1]).query)
    assert query["action"] == ["TEMPLATE"] and query["dates"] == ["20311026T080000Z/20311026T083000Z"]
    assert query["text"] == ["Cita en Clínica Central"] and query["ctz"] == ["Europe/Madrid"]
    assert query["location"] == ["Clínica Central, Calle Mayor 1"] and "Consulta general" not in google
    outlook = next(line for line in email.text.splitlines() if line.startswith("Añadir a Outlook.com: "))
    query = parse_qs(urlsplit(outlook.split(": ", 1)[1]).query)
    assert query["rru"] == ["addevent"] and query["startdt"] == ["2031-10-26T08:00:00Z"]
    assert query["enddt"] == ["2031-10-26T08:30:00Z"] and query["subject"] == ["Cita en Clínica Central"]
    assert "Añadir a Google Calendar</a>" in email.html and "invite.ics" in email.text
    assert "no cancela la cita" in email.text  # the calendar's "No" does not cancel: the text says how
    for kind in ("reminder", "cancelled"):
        assert "calendar.google.com" not in content.appointment_email(kind, view, public_url="").text
