"""Slots across DST changes, asserted as UTC instants (Madrid, New York, and zones without DST)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

import pytest

from clinic.availability.service import slots
from clinic.identity.actor import Actor
from web.schemas.scheduling import slots_json as _written
from tests.conftest import make_settings
from tests.scheduling.factories import make_doctor


def slots_json(db, **kw) -> bytes:
    """The slots endpoint's answer body: the availability engine's data as the web schema writes it."""
    return _written(slots(db, **kw)).body


SETTINGS = make_settings()
UTC = timezone.utc


def _slots(db, setup, first: date, last: date, now: datetime, service_id=None):
    raw = slots_json(
        db,
        actor=Actor(user_id=1, role="receptionist"),
        doctor_id=setup.doctor.id,
        service_id=service_id or setup.service_id,
        first=first,
        last=last,
        now=now,
        settings=SETTINGS,
    )
    return json.loads(raw)


def _utc(slots) -> list[str]:
    return [datetime.fromisoformat(s["starts_at"]).astimezone(UTC).strftime("%m-%d %H:%M") for s in slots]


def _local(slots) -> list[str]:
    return [s["starts_at"][11:] for s in slots]


def test_madrid_spring_forward_offers_only_real_instants(db):
    setup = make_doctor(db, timezone_name="Europe/Madrid", hours=[(time(1), time(4))], weekdays=[6])
    body = _slots(db, setup, date(2027, 3, 28), date(2027, 3, 28), now=datetime(2027, 1, 1, tzinfo=UTC))
    assert body["timezone"] == "Europe/Madrid"
    assert _utc(body["slots"]) == ["03-28 00:00", "03-28 00:30", "03-28 01:00", "03-28 01:30"]
    assert _local(body["slots"]) == ["01:00:00+01:00", "01:30:00+01:00", "03:00:00+02:00", "03:30:00+02:00"]
    assert body["slots"][1]["ends_at"] == "2027-03-28T03:00:00+02:00"  # 01:30 CET + 30 min


def test_madrid_fall_back_offers_the_repeated_hour_once_per_instant(db):
    setup = make_doctor(db, timezone_name="Europe/Madrid", hours=[(time(1), time(4))], weekdays=[6])
    body = _slots(db, setup, date(2027, 10, 31), date(2027, 10, 31), now=datetime(2027, 6, 1, tzinfo=UTC))
    utc = _utc(body["slots"])
    assert utc == [
        "10-30 23:00",
        "10-30 23:30",
        "10-31 00:00",
        "10-31 00:30",
        "10-31 01:00",
        "10-31 01:30",
        "10-31 02:00",
        "10-31 02:30",
    ]
    assert len(set(utc)) == len(utc)
    assert _local(body["slots"]) == [
        "01:00:00+02:00",
        "01:30:00+02:00",
        "02:00:00+02:00",
        "02:30:00+02:00",
        "02:00:00+01:00",
        "02:30:00+01:00",
        "03:00:00+01:00",
        "03:30:00+01:00",
    ]


def test_new_york_spring_forward(db):
    setup = make_doctor(db, timezone_name="America/New_York", hours=[(time(1), time(4))], weekdays=[6])
    body = _slots(db, setup, date(2027, 3, 14), date(2027, 3, 14), now=datetime(2027, 1, 1, tzinfo=UTC))
    assert _utc(body["slots"]) == ["03-14 06:00", "03-14 06:30", "03-14 07:00", "03-14 07:30"]
    assert _local(body["slots"]) == ["01:00:00-05:00", "01:30:00-05:00", "03:00:00-04:00", "03:30:00-04:00"]


def test_new_york_fall_back(db):
    setup = make_doctor(db, timezone_name="America/New_York", hours=[(time(0), time(3))], weekdays=[6])
    body = _slots(db, setup, date(2027, 11, 7), date(2027, 11, 7), now=datetime(2027, 6, 1, tzinfo=UTC))
    assert _utc(body["slots"]) == [
        "11-07 04:00",
        "11-07 04:30",
        "11-07 05:00",
        "11-07 05:30",
        "11-07 06:00",
        "11-07 06:30",
        "11-07 07:00",
        "11-07 07:30",
    ]
    assert _local(body["slots"])[2:6] == ["01:00:00-04:00", "01:30:00-04:00", "01:00:00-05:00", "01:30:00-05:00"]


@pytest.mark.parametrize(
    "zone, days, before, after",
    [
        ("Europe/Madrid", (date(2027, 3, 27), date(2027, 3, 29)), "08:00", "07:00"),
        ("Europe/Madrid", (date(2027, 10, 30), date(2027, 11, 1)), "07:00", "08:00"),
        ("America/New_York", (date(2027, 3, 13), date(2027, 3, 15)), "14:00", "13:00"),
        ("America/New_York", (date(2027, 11, 6), date(2027, 11, 8)), "13:00", "14:00"),
    ],
)
def test_nine_local_stays_nine_local_across_the_change(db, zone, days, before, after):
    setup = make_doctor(db, timezone_name=zone, hours=[(time(9), time(9, 30))])
    body = _slots(db, setup, days[0], days[1], now=datetime(2027, 1, 1, tzinfo=UTC))
    assert [s["starts_at"][11:19] for s in body["slots"]] == ["09:00:00"] * 3
    utc = [datetime.fromisoformat(s["starts_at"]).astimezone(UTC).strftime("%H:%M") for s in body["slots"]]
    assert utc[0] == before and utc[2] == after


@pytest.mark.parametrize(
    "zone, offset, utc_nine", [("America/Mexico_City", "-06:00", "15:00"), ("America/Bogota", "-05:00", "14:00")]
)
def test_zones_without_dst_keep_one_offset_all_year(db, zone, offset, utc_nine):
    setup = make_doctor(db, timezone_name=zone, hours=[(time(9), time(9, 30))])
    # Mexico dropped DST in 2022: the former change dates must not move anything.
    body = _slots(db, setup, date(2027, 4, 3), date(2027, 4, 5), now=datetime(2027, 1, 1, tzinfo=UTC))
    body2 = _slots(db, setup, date(2027, 10, 30), date(2027, 11, 1), now=datetime(2027, 6, 1, tzinfo=UTC))
    for slot in body["slots"] + body2["slots"]:
        assert slot["starts_at"][10:] == "T09:00:00" + offset
        assert datetime.fromisoformat(slot["starts_at"]).astimezone(UTC).strftime("%H:%M") == utc_nine
    assert len(body["slots"]) == 3 and len(body2["slots"]) == 3


def test_a_dst_slot_can_be_booked_and_blocks_only_its_instant(db, make_user):
    from clinic.appointments import service as appointments

    setup = make_doctor(db, timezone_name="Europe/Madrid", hours=[(time(1), time(4))], weekdays=[6])
    patient = make_user("patient")
    actor = Actor(user_id=patient.id, role="patient")
    now = datetime(2027, 6, 1, tzinfo=UTC)
    second_0200 = datetime.fromisoformat("2027-10-31T02:00:00+01:00")
    view = appointments.book(
        db,
        actor=actor,
        doctor_id=setup.doctor.id,
        service_id=setup.service_id,
        starts_at=second_0200,
        settings=SETTINGS,
        now=now,
    )
    assert view.starts_at.isoformat() == "2027-10-31T02:00:00+01:00"
    body = _slots(db, setup, date(2027, 10, 31), date(2027, 10, 31), now=now)
    local = _local(body["slots"])
    assert "02:00:00+02:00" in local and "02:00:00+01:00" not in local and len(local) == 7
