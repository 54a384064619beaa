"""Invites, downloads and feeds as real calendar software reads them, around every DST change.

Readers: libical (Evolution), Mozilla's ical.js (Thunderbird), the `ical` package, icalendar. Every
start and end each reader finds is compared with zoneinfo, for the first and the second occurrence of a
fall-back night's repeated hour and for appointments on either side of (and across) the spring gap, in
Europe/Madrid, America/New_York and America/Mexico_City (which dropped DST in 2022: 2021 has both
changes, 2027 none). libical and the `ical` package read documents whose TZIDs are renamed, so that only
our VTIMEZONE can explain the times.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from clinic.calendars import feeds
from clinic.calendars.invites import download_for, invite_for
from tests.calendars import libical, strict
from tests.calendars.factories import make_appointment, make_clinic, make_doctor, make_service


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# (what it is, the clinic's wall clock and fold (1: the second occurrence), minutes, whether a reader could
# misread the local time, so that it must be written in UTC). Instants come from zoneinfo.
CASES = {
    "Europe/Madrid": [
        ("first 02:00 of the repeated hour (CEST)", datetime(2027, 10, 31, 2, 0), 0, 30, True),
        ("second 02:00 of the repeated hour (CET)", datetime(2027, 10, 31, 2, 0), 1, 30, True),
        ("01:30 CEST, ending in the repeated hour", datetime(2027, 10, 31, 1, 30), 0, 30, True),
        ("03:00 CET, after the repeated hour", datetime(2027, 10, 31, 3, 0), 0, 30, False),
        ("01:30 CET, ending at 03:00 CEST across the gap", datetime(2027, 3, 28, 1, 30), 0, 30, False),
        ("03:00 CEST, just after the gap", datetime(2027, 3, 28, 3, 0), 0, 30, False),
        ("an ordinary summer morning", datetime(2027, 7, 1, 9, 0), 0, 30, False),
    ],
    "America/New_York": [
        ("first 01:00 of the repeated hour (EDT)", datetime(2027, 11, 7, 1, 0), 0, 30, True),
        ("second 01:00 of the repeated hour (EST)", datetime(2027, 11, 7, 1, 0), 1, 30, True),
        ("00:00 EDT, ending in the repeated hour", datetime(2027, 11, 7, 0, 0), 0, 60, True),
        ("02:00 EST, after the repeated hour", datetime(2027, 11, 7, 2, 0), 0, 30, False),
        ("01:30 EST, ending at 03:00 EDT across the gap", datetime(2027, 3, 14, 1, 30), 0, 30, False),
        ("03:00 EDT, just after the gap", datetime(2027, 3, 14, 3, 0), 0, 30, False),
    ],
    "America/Mexico_City": [
        ("first 01:00 of the repeated hour (CDT, 2021)", datetime(2021, 10, 31, 1, 0), 0, 30, True),
        ("second 01:00 of the repeated hour (CST, 2021)", datetime(2021, 10, 31, 1, 0), 1, 30, True),
        ("01:30 CST, ending at 03:00 CDT across the 2021 gap", datetime(2021, 4, 4, 1, 30), 0, 30, False),
        ("01:00 on the last Sunday of October 2027 (no DST any more)", datetime(2027, 10, 31, 1, 0), 0, 30, False),
        ("02:00 on the first Sunday of April 2027 (no gap any more)", datetime(2027, 4, 4, 2, 0), 0, 30, False),
    ],
}
# Spot checks of zoneinfo's readings, written out: the first and second 02:00 of Madrid's night.
assert datetime(2027, 10, 31, 2, 0, tzinfo=ZoneInfo("Europe/Madrid")).astimezone(timezone.utc) == _utc(2027, 10, 31, 0)
assert datetime(2027, 10, 31, 2, 0, fold=1, tzinfo=ZoneInfo("Europe/Madrid")).astimezone(timezone.utc) == _utc(
    2027, 10, 31, 1
)


@pytest.fixture()
def booked(db, make_user):
    """One patient with every case of every zone booked (one clinic per zone)."""
    patient = make_user("patient", full_name="Ana Pérez")
    service = make_service(db)
    out = {}
    for zone, cases in CASES.items():
        doctor = make_doctor(db, make_user("doctor"), make_clinic(db, timezone=zone, name=f"Clínica {zone}"))
        for label, wall, fold, minutes, utc_written in cases:
            starts_at = wall.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(timezone.utc)
            appt = make_appointment(
                db, doctor=doctor, patient=patient, service=service, starts_at=starts_at, minutes=minutes
            )
            out[appt.ical_uid] = (zone, label, appt, utc_written)
    return patient, out


def _private(body: bytes) -> bytes:
    for index, zone in enumerate(CASES):
        body = body.replace(zone.encode(), f"Private/Zone{index}".encode())
    return body


def _check_every_reader(body: bytes, expected: dict, *, method: str) -> None:
    """Each reader finds each expected event at its zoneinfo instants; ambiguous ones are written in UTC."""
    instants = {uid: (appt.starts_at, appt.ends_at) for uid, (_, _, appt, _) in expected.items()}

    lib = libical.read(_private(body))
    assert lib["method"] == method and lib["errors"] == [] and lib["restrictions_ok"], lib
    found = {
        ev["uid"]: (_utc(1970, 1, 1) + timedelta(seconds=ev["start"]), _utc(1970, 1, 1) + timedelta(seconds=ev["end"]))
        for ev in lib["events"]
    }
    assert found == instants, "libical"
    for ev in lib["events"]:
        assert (ev["tzid"] == "UTC") == expected[ev["uid"]][3], (expected[ev["uid"]][1], ev)

    for cal in (strict.parse(body), strict.parse(_private(body))):
        assert {e.uid: (strict.utc(e.dtstart), strict.utc(e.dtend)) for e in cal.events} == instants, "ical"

    js = strict.icaljs(body)
    assert {e["uid"]: (strict.js_utc(e["start_utc"]), strict.js_utc(e["end_utc"])) for e in js["events"]} == instants

    cal = icalendar.Calendar.from_ical(body)
    assert {
        str(e["UID"]): (e.start.astimezone(timezone.utc), e.end.astimezone(timezone.utc)) for e in cal.walk("VEVENT")
    } == instants, "icalendar"

    for event in cal.walk("VEVENT"):  # never a floating time
        assert event["DTSTART"].dt.tzinfo is not None and event["DTEND"].dt.tzinfo is not None


@pytest.mark.parametrize("zone", list(CASES))
def test_invites_and_downloads_read_alike_around_dst(db, booked, zone):
    patient, appointments = booked
    for uid, entry in appointments.items():
        if entry[0] != zone:
            continue
        appt = entry[2]
        invite = invite_for(db, appointment_id=appt.id, method="REQUEST", sender="Clínica <citas@example.com>")
        _check_every_reader(invite, {uid: entry}, method="REQUEST")
        assert [e["partstat"] for e in libical.read(invite)["events"]] == ["ACCEPTED"]
        _check_every_reader(download_for(db, appointment_id=appt.id), {uid: entry}, method="PUBLISH")


def test_the_feed_reads_alike_around_dst(db, booked):
    patient, appointments = booked
    feeds.feed_token(db, user_id=patient.id, secret="s" * 40)
    feeds.rebuild(db, user_id=patient.id, horizon_days=7 * 365, now=_utc(2021, 3, 1))
    body = feeds.serve(db, token=feeds.feed_token(db, user_id=patient.id, secret="s" * 40)).content
    _check_every_reader(body, appointments, method="PUBLISH")
    assert strict.prop(body, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT15M"]  # Outlook's refresh rate
    assert strict.prop(body, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT15M"]


def test_the_old_form_is_what_readers_misread(db, booked):
    """Why the repeated hour is written in UTC: the same first 02:00 CEST as a TZID time is read by
    libical as 02:00 CET, an hour late (RFC 5545 allows either reading)."""
    _, appointments = booked
    uid, (zone, label, appt, _) = next((u, e) for u, e in appointments.items() if e[1].startswith("first 02:00"))
    body = invite_for(db, appointment_id=appt.id, method="REQUEST")
    as_tzid = body.replace(b"DTSTART:20271031T000000Z", b"DTSTART;TZID=Europe/Madrid:20271031T020000")
    assert as_tzid != body
    start = libical.read(_private(as_tzid))["events"][0]["start"]
    assert _utc(1970, 1, 1) + timedelta(seconds=start) == appt.starts_at + timedelta(hours=1)
