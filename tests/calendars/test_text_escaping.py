"""Names with line breaks or other control characters never break a calendar nor inject lines into it.

The API refuses such names now (tests/web/test_single_line_text.py), but rows written before that stay in
the database: feeds, invites and downloads must still be well-formed, with or without Python's assertions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from clinic.calendars import feeds, invites
from clinic.clock import utcnow
from tests.calendars import strict
from tests.calendars.factories import make_appointment, make_clinic, make_doctor, make_service
from tests.support.processes import ROOT

INJECTION = "\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT"
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _well_formed(body: bytes, events: int = 1) -> str:
    """The document parses strictly, has exactly `events` VEVENTs, and no line carries a control character."""
    strict.parse(body)
    document = body.decode("utf-8")
    lines = document.replace("\r\n ", "").split("\r\n")
    assert lines.count("BEGIN:VEVENT") == events, document
    assert not any(line.startswith("SUMMARY:injected") for line in lines), document
    assert not any(CONTROL.search(line) for line in lines), document
    return document


@pytest.fixture()
def hostile(db, make_user):
    """A clinic, doctor and patient whose names were stored with line breaks before the API refused them."""
    clinic = make_clinic(db, name="Clínica" + INJECTION, address="Calle Mayor 1\r\nEND:VCALENDAR\x07")
    doctor_user = make_user("doctor", full_name="Dra. Ruiz" + INJECTION)
    patient = make_user("patient", full_name="Ana\u2028Pérez" + INJECTION)
    db.execute(
        text("UPDATE users SET full_name = :name WHERE id = :id"),
        {"name": "Dra. Ruiz" + INJECTION + "\x1b[31m", "id": doctor_user.id},
    )
    doctor = make_doctor(db, doctor_user, clinic)
    appointment = make_appointment(
        db, doctor=doctor, patient=patient, service=make_service(db), starts_at=utcnow() + timedelta(days=3)
    )
    db.expire_all()
    return doctor_user, patient, appointment


def test_feeds_of_people_with_line_breaks_in_names_build_and_stay_well_formed(db, hostile):
    doctor_user, patient, _ = hostile
    for user in (patient, doctor_user):
        token = feeds.feed_token(db, user_id=user.id, secret="s" * 40)
        assert feeds.rebuild(db, user_id=user.id, horizon_days=365)
        served = feeds.serve(db, token=token)
        document = _well_formed(served.content)
        calname = next(line for line in document.replace("\r\n ", "").split("\r\n") if line.startswith("X-WR-CALNAME"))
        assert "BEGIN:VEVENT SUMMARY:injected" in calname  # kept as text, on its one line


def test_invites_and_downloads_with_line_breaks_in_names_stay_well_formed(db, hostile):
    _, _, appointment = hostile
    for method in ("REQUEST", "CANCEL"):
        document = _well_formed(invites.invite_for(db, appointment_id=appointment.id, method=method))
        assert "CN=" in document
    _well_formed(invites.download_for(db, appointment_id=appointment.id))


def test_escaping_does_not_rely_on_assertions():
    """Under `python -O` icalendar's own `assert` is gone: the escaping must be ours."""
    script = f"""
from datetime import datetime, timedelta, timezone
from clinic.calendars import ics
bad = {INJECTION!r}
cal = ics.new_calendar("PUBLISH", name="Citas" + bad)
start = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
event = ics.event(uid="u@example.com", sequence=0, stamp=start, starts_at=start, ends_at=start + timedelta(hours=1),
                  zone="Europe/Madrid", summary="Cita" + bad, description="Con" + bad + "\\nlínea 2",
                  where=ics.location("Clínica" + bad, "Calle" + bad), status="CONFIRMED")
event.add("organizer", ics.address("c@example.com" + bad, "Clínica" + bad))
event.add_component(ics.alarm("Recordatorio" + bad))
cal.add_component(event)
import sys
sys.stdout.buffer.write(cal.to_ical())
"""
    result = subprocess.run([sys.executable, "-O", "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    document = result.stdout.decode()
    lines = document.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and not any(line.startswith("SUMMARY:injected") for line in lines)
    unfolded = document.replace("\r\n ", "")
    assert "DESCRIPTION:Con\\nBEGIN:VEVENT\\nSUMMARY:injected\\nEND:VEVENT\\nlínea 2\r\n" in unfolded  # escaped
    assert "SUMMARY:Cita BEGIN:VEVENT SUMMARY:injected END:VEVENT\r\n" in unfolded  # one line
