"""invite.ics: RFC 5545/5546 fields, languages, no clinical details, time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from clinic.calendars.invites import content_type, invite_for
from clinic.errors import NotFound
from tests.calendars import strict
from tests.calendars.factories import make_appointment, make_clinic, make_doctor, make_service

SENDER = "Clínica Test <citas@example.com>"
START = datetime(2027, 3, 29, 7, 0, tzinfo=timezone.utc)  # 09:00 in Madrid, first Monday of summer time


@pytest.fixture()
def setup(db, make_user):
    clinic = make_clinic(db)
    doctor = make_doctor(db, make_user("doctor", full_name="Dra. Marta Ruiz"), clinic)
    patient = make_user("patient", full_name="Ana Pérez", locale="es")
    service = make_service(db)
    return clinic, doctor, patient, service


def _invite(db, appt, method):
    return invite_for(db, appointment_id=appt.id, method=method, sender=SENDER)


def test_request_has_every_itip_field(db, setup):
    clinic, doctor, patient, service = setup
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=START)
    body = _invite(db, appt, "REQUEST")

    cal = strict.parse(body)
    assert cal.method == "REQUEST" and cal.version == "2.0" and cal.prodid and cal.calscale == "GREGORIAN"
    (event,) = cal.events
    assert event.uid == appt.ical_uid
    assert event.sequence == 0
    assert event.dtstamp is not None
    assert event.status == "CONFIRMED"
    assert strict.utc(event.dtstart) == START and strict.utc(event.dtend) == START + timedelta(minutes=30)
    assert event.dtstart.replace(tzinfo=None) == datetime(2027, 3, 29, 9, 0)  # the clinic's wall clock
    assert event.organizer.uri == "mailto:citas@example.com" and event.organizer.common_name == "Clínica Sol"
    (attendee,) = event.attendees
    assert attendee.uri == f"mailto:{patient.email}" and attendee.common_name == "Ana Pérez"
    assert attendee.role == "REQ-PARTICIPANT" and attendee.status == "ACCEPTED"
    assert attendee.rsvp is False
    assert event.location == "Clínica Sol, Calle Mayor 1, 28013 Madrid"
    assert event.summary == "Cita en Clínica Sol"
    assert "Dra. Marta Ruiz" in event.description
    (alarm,) = event.alarm
    assert alarm.action == "DISPLAY" and alarm.trigger == timedelta(hours=-2)
    assert [tz.tz_id for tz in cal.timezones] == ["Europe/Madrid"]
    assert strict.prop(body, "DTSTART")[-1] == "DTSTART;TZID=Europe/Madrid:20270329T090000"

    js = strict.icaljs(body)
    assert js["method"] == "REQUEST" and js["version"] == "2.0" and js["timezones"] == ["Europe/Madrid"]
    (ev,) = js["events"]
    assert ev["uid"] == event.uid and ev["sequence"] == 0 and ev["status"] == "CONFIRMED"
    assert strict.js_utc(ev["start_utc"]) == START and ev["start_local"] == "2027-03-29T09:00:00"
    assert ev["organizer"] == {"value": "mailto:citas@example.com", "cn": "Clínica Sol"}
    assert ev["attendees"] == [
        {
            "value": f"mailto:{patient.email}",
            "cn": "Ana Pérez",
            "role": "REQ-PARTICIPANT",
            "partstat": "ACCEPTED",
            "rsvp": "FALSE",
        }
    ]
    assert ev["alarms"] == [{"action": "DISPLAY", "trigger": "-PT2H"}]


def test_icalendar_reads_it_back(db, setup):
    clinic, doctor, patient, service = setup
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=START)
    cal = icalendar.Calendar.from_ical(_invite(db, appt, "REQUEST"))
    (event,) = cal.events
    assert str(cal["METHOD"]) == "REQUEST" and event.start == START.astimezone(ZoneInfo("Europe/Madrid"))


def test_no_clinical_details(db, setup):
    clinic, doctor, patient, service = setup
    appt = make_appointment(
        db, doctor=doctor, patient=patient, service=service, starts_at=START, reason="sospecha de arritmia"
    )
    for method in ("REQUEST", "CANCEL"):
        text = _invite(db, appt, method).decode().replace("\r\n ", "")
        for secret in ("arritmia", "Cardiología", service.name):
            assert secret not in text


def test_english_patient_gets_english_text(db, setup, make_user):
    clinic, doctor, _, service = setup
    patient = make_user("patient", full_name="John Smith", locale="en")
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=START)
    event = strict.parse(_invite(db, appt, "REQUEST")).events[0]
    assert event.summary == "Appointment at Clínica Sol"
    assert event.description.startswith("Appointment with Dra. Marta Ruiz.")
    assert event.alarm[0].description == "Reminder: appointment at Clínica Sol"


def test_cancel(db, setup):
    clinic, doctor, patient, service = setup
    appt = make_appointment(
        db, doctor=doctor, patient=patient, service=service, starts_at=START, status="cancelled", sequence=2
    )
    body = _invite(db, appt, "CANCEL")
    cal = strict.parse(body)
    (event,) = cal.events
    assert cal.method == "CANCEL" and event.status == "CANCELLED" and event.sequence == 2
    assert event.uid == appt.ical_uid and not event.alarm
    assert event.summary == "Cancelada: cita en Clínica Sol"
    assert event.attendees[0].uri == f"mailto:{patient.email}"
    js = strict.icaljs(body)
    assert js["method"] == "CANCEL" and js["events"][0]["status"] == "CANCELLED" and js["events"][0]["sequence"] == 2


def test_request_for_a_cancelled_appointment_is_a_cancel(db, setup):
    clinic, doctor, patient, service = setup
    appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=START, status="cancelled")
    assert strict.parse(_invite(db, appt, "REQUEST")).method == "CANCEL"


def test_content_type_and_bad_input(db):
    assert content_type("REQUEST") == 'text/calendar; charset="utf-8"; method=REQUEST'
    assert content_type("cancel").endswith("method=CANCEL")
    with pytest.raises(ValueError):
        content_type("PUBLISH")
    with pytest.raises(NotFound):
        invite_for(db, appointment_id=10**12, method="REQUEST")


def test_clinic_without_address(db, make_user):
    clinic = make_clinic(db, address=None, name="Consultorio")
    doctor = make_doctor(db, make_user("doctor"), clinic)
    appt = make_appointment(db, doctor=doctor, patient=make_user("patient"), service=make_service(db), starts_at=START)
    assert strict.parse(_invite(db, appt, "REQUEST")).events[0].location == "Consultorio"


@pytest.mark.parametrize(
    "zone, local_times",
    [
        # Madrid: summer time starts 2027-03-28 and ends 2027-10-31.
        (
            "Europe/Madrid",
            [
                datetime(2027, 3, 26, 9),
                datetime(2027, 3, 29, 9),
                datetime(2027, 10, 29, 17, 30),
                datetime(2027, 11, 2, 17, 30),
            ],
        ),
        # New York: DST starts 2027-03-14 and ends 2027-11-07 (weeks where the two zones differ by 5 or 6 hours).
        (
            "America/New_York",
            [datetime(2027, 3, 12, 9), datetime(2027, 3, 15, 9), datetime(2027, 11, 5, 16), datetime(2027, 11, 8, 16)],
        ),
    ],
)
def test_dst_crossing_series_keeps_wall_clock(db, make_user, zone, local_times):
    clinic = make_clinic(db, timezone=zone)
    doctor = make_doctor(db, make_user("doctor"), clinic)
    patient, service = make_user("patient"), make_service(db)
    for wall in local_times:
        starts_at = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        appt = make_appointment(db, doctor=doctor, patient=patient, service=service, starts_at=starts_at)
        body = _invite(db, appt, "REQUEST")
        # With the zone's real name, and with a private name so that only our VTIMEZONE can explain it.
        for cal in (strict.parse(body), strict.parse_with_private_zones(body, zone)):
            event = cal.events[0]
            assert strict.utc(event.dtstart) == starts_at
            assert event.dtstart.replace(tzinfo=None) == wall
        # ical.js knows no zones: it can only get this right from our VTIMEZONE.
        ev = strict.icaljs(body)["events"][0]
        assert strict.js_utc(ev["start_utc"]) == starts_at and ev["start_local"] == wall.isoformat()
        assert ev["tzid"] == zone
