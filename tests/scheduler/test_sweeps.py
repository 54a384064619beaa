"""The sweeps, called directly as of chosen instants (inside the test's rolled-back transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clinic.appointments import no_shows
from clinic.notifications import reminders
from tests.conftest import make_settings
from tests.support.async_world import SessionWorld

T0 = datetime(2031, 6, 2, 7, 0, tzinfo=timezone.utc)  # 09:00 in Madrid
H = timedelta(hours=1)


@pytest.fixture()
def w(db):
    """The sweeps are global: hide whatever other tests committed, inside this test's rolled-back transaction."""
    world = SessionWorld(db)
    world.sql("UPDATE appointments SET status = 'cancelled' WHERE status <> 'cancelled'")
    world.sql("DELETE FROM deliveries")
    world.sql("DELETE FROM outbox")
    return world


@pytest.fixture()
def settings():
    return make_settings()


@pytest.fixture()
def setup(w):
    clinic = w.clinic("Europe/Madrid")
    service = w.service()
    doctor = w.doctor(clinic, service)
    return clinic, service, doctor


def _sweep(w, *, now, settings):
    """A reminder sweep as of `now`, then what the workers do first with its messages: make the deliveries."""
    before = w.sql("SELECT coalesce(max(id), 0) FROM outbox")[0][0]
    found = reminders.reminders(w.session, now=now, settings=settings)
    for topic, payload in w.sql("SELECT topic, payload FROM outbox WHERE id > :b ORDER BY id", b=before):
        reminders.deliveries_of(w.session, topic=topic, payload=payload)
    return found


def _reminders(w, appt):
    return [
        tuple(r)
        for r in w.sql(
            "SELECT details->>'offset', status FROM deliveries WHERE appointment_id = :a "
            "AND kind = 'reminder' ORDER BY id",
            a=appt,
        )
    ]


def test_a_reminder_goes_with_the_first_sweep_at_or_after_its_moment_and_only_once(w, setup, settings):
    _, service, doctor = setup
    appt = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H)
    assert _sweep(w, now=T0 - 24 * H - timedelta(seconds=1), settings=settings) == 0
    assert _sweep(w, now=T0 - 24 * H, settings=settings) == 1
    assert _sweep(w, now=T0 - 23 * H, settings=settings) == 0
    assert _sweep(w, now=T0 - 90 * timedelta(minutes=1), settings=settings) == 1
    assert _sweep(w, now=T0 - timedelta(minutes=1), settings=settings) == 0
    assert _sweep(w, now=T0, settings=settings) == 0  # never at or after the start
    assert _reminders(w, appt) == [("1440", "pending"), ("120", "pending")]
    outbox = w.sql("SELECT payload FROM outbox WHERE topic = 'reminders.due' ORDER BY id")
    assert len(outbox) == 2 and outbox[0][0]["batch"] is True
    assert datetime.fromisoformat(outbox[0][0]["expires_at"]) == T0


def test_a_sweep_hands_over_only_what_fell_due_since_the_last_one(w, setup, settings):
    """Nothing is written per reminder by the sweep; a second sweep hands over nothing already handed over, but
    does hand over a booking made just before the previous sweep (it may have committed after it), until a
    worker has made its delivery."""
    _, service, doctor = setup
    first = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H)
    swept = T0 - 23 * H
    assert reminders.reminders(w.session, now=swept, settings=settings) == 1
    assert w.sql("SELECT count(*) FROM deliveries")[0][0] == 0  # the workers make the rows
    payload = w.sql("SELECT payload FROM outbox WHERE topic = 'reminders.due'")[0][0]
    assert (payload["found"], payload["from"], payload["to"], payload["after"]) == (
        1,
        swept.isoformat(),
        T0.isoformat(),
        None,
    )
    assert reminders.reminders(w.session, now=swept + timedelta(minutes=1), settings=settings) == 0
    # Booked 2 minutes before that sweep, its 24 h moment 1 minute before it: invisible to it if in flight.
    in_flight = w.appointment(doctor, w.user(), service, T0 + H, scheduled_at=swept - timedelta(minutes=1))
    assert reminders.reminders(w.session, now=swept + timedelta(minutes=2), settings=settings) == 1
    assert reminders.reminders(w.session, now=swept + timedelta(minutes=3), settings=settings) == 1  # not made yet
    topic, payload = w.sql("SELECT topic, payload FROM outbox ORDER BY id DESC LIMIT 1")[0]
    assert payload["to"] == (T0 + H).isoformat()
    assert len(reminders.deliveries_of(w.session, topic=topic, payload=payload)) == 1
    assert reminders.reminders(w.session, now=swept + timedelta(minutes=4), settings=settings) == 0  # made
    assert _reminders(w, in_flight) == [("1440", "pending")] and _reminders(w, first) == []


def test_slices_of_a_sweep_never_overlap_and_cover_every_reminder(w, setup, settings, monkeypatch):
    from clinic.notifications.store import reminders as store

    monkeypatch.setattr(store, "SLICE", 2)
    clinic, service, _ = setup
    at = [T0, T0, T0, T0 + H, T0 + 2 * H]  # three reminders share a start (three doctors): one slice holds them
    appointments = [
        w.appointment(w.doctor(clinic, service), w.user(), service, t, scheduled_at=T0 - 72 * H) for t in at
    ]
    assert _sweep(w, now=T0 - 22 * H, settings=settings) == 5
    payloads = [p[0] for p in w.sql("SELECT payload FROM outbox WHERE topic = 'reminders.due' ORDER BY id")]
    assert [(p["from"], p["to"]) for p in payloads] == [
        ((T0 - 22 * H).isoformat(), T0.isoformat()),  # takes the third reminder at T0 too
        (T0.isoformat(), (T0 + H).isoformat()),
        ((T0 + H).isoformat(), (T0 + 2 * H).isoformat()),
    ]
    made = [reminders.deliveries_of(w.session, topic="reminders.due", payload=p) for p in payloads]
    assert [len(m) for m in made] == [3, 1, 1] and all(_reminders(w, a) == [("1440", "pending")] for a in appointments)


def test_the_workers_make_each_reminder_once_and_skip_what_changed_since(w, setup, settings):
    _, service, doctor = setup
    kept = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H)
    cancelled = w.appointment(doctor, w.user(), service, T0 + H, scheduled_at=T0 - 72 * H)
    assert reminders.reminders(w.session, now=T0 - 22 * H, settings=settings) == 2
    w.sql("UPDATE appointments SET status = 'cancelled' WHERE id = :a", a=cancelled)
    topic, payload = w.sql("SELECT topic, payload FROM outbox WHERE topic = 'reminders.due'")[0]
    first = reminders.deliveries_of(w.session, topic=topic, payload=payload)
    again = reminders.deliveries_of(w.session, topic=topic, payload=payload)  # a retried message
    assert first == again and len(first) == 1
    assert _reminders(w, kept) == [("1440", "pending")] and _reminders(w, cancelled) == []


def test_a_clock_set_back_hands_over_again_but_each_reminder_is_made_once(w, setup, settings):
    _, service, doctor = setup
    appt = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H)
    assert _sweep(w, now=T0 - 20 * H, settings=settings) == 1
    assert _sweep(w, now=T0 - 21 * H, settings=settings) == 1  # the mark is ahead: everything due, once more
    assert _reminders(w, appt) == [("1440", "pending")]


def test_reminders_already_past_when_booked_are_skipped(w, setup, settings):
    _, service, doctor = setup
    late = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 3 * H)  # 24 h passed, 2 h not
    later = w.appointment(doctor, w.user(), service, T0 + H, scheduled_at=T0 - 30 * timedelta(minutes=1))
    _sweep(w, now=T0 - timedelta(minutes=1), settings=settings)
    assert _reminders(w, late) == [("120", "pending")]
    assert _reminders(w, later) == []


def test_no_reminder_for_cancelled_or_finished_appointments(w, setup, settings):
    _, service, doctor = setup
    w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H, status="cancelled")
    w.appointment(doctor, w.user(), service, T0 + H, scheduled_at=T0 - 72 * H, status="completed")
    assert _sweep(w, now=T0 - H, settings=settings) == 0


def test_a_moved_appointment_gets_reminders_for_its_new_start(w, setup, settings):
    _, service, doctor = setup
    appt = w.appointment(doctor, w.user(), service, T0, scheduled_at=T0 - 72 * H)
    _sweep(w, now=T0 - 24 * H, settings=settings)
    w.sql(
        "UPDATE appointments SET starts_at = starts_at + interval '2 days', ends_at = ends_at + interval '2 days',"
        " blocked_until = blocked_until + interval '2 days', scheduled_at = :now WHERE id = :a",
        a=appt,
        now=T0 - 20 * H,
    )
    _sweep(w, now=T0 + 24 * H, settings=settings)  # 24 h before the new start
    keys = [r[0] for r in w.sql("SELECT key FROM deliveries WHERE appointment_id = :a ORDER BY id", a=appt)]
    assert len(keys) == 2 and keys[0] != keys[1] and keys[0].startswith(f"reminder:{appt}:1440:")


def test_per_service_offsets_and_configured_defaults(w, setup, settings):
    clinic, _, doctor = setup
    special = w.service(offsets=[2880])
    w.sql("INSERT INTO doctor_services VALUES (:d, :s)", d=doctor["id"], s=special)
    appt = w.appointment(doctor, w.user(), special, T0, scheduled_at=T0 - 96 * H)
    _sweep(w, now=T0 - 47 * H, settings=settings)
    assert _reminders(w, appt) == [("2880", "pending")]
    custom = make_settings(REMINDER_OFFSETS_MINUTES="60")
    other = w.appointment(doctor, w.user(), setup[1], T0 + 2 * H, scheduled_at=T0 - 96 * H)
    _sweep(w, now=T0 + H, settings=custom)
    assert _reminders(w, other) == [("60", "pending")]


def test_daily_agenda_once_per_doctor_and_local_day_after_six(w, settings):
    madrid, mexico = w.clinic("Europe/Madrid"), w.clinic("America/Mexico_City")
    service = w.service()
    dm, dx, idle = w.doctor(madrid, service), w.doctor(mexico, service), w.doctor(madrid, service)
    w.appointment(dm, w.user(), service, T0)  # 09:00 Madrid, 2 June
    w.appointment(dx, w.user(), service, T0 + 10 * H)  # 11:00 Mexico City, 2 June
    w.appointment(idle, w.user(), service, T0 + 24 * H)  # tomorrow: not in today's agenda
    # 05:59 in Madrid: nobody yet.
    assert reminders.agendas(w.session, now=datetime(2031, 6, 2, 3, 59, tzinfo=timezone.utc), settings=settings) == 0
    # 06:00 in Madrid (04:00 UTC) is 22:00 the day before in Mexico City.
    assert reminders.agendas(w.session, now=datetime(2031, 6, 2, 4, 0, tzinfo=timezone.utc), settings=settings) == 1
    assert reminders.agendas(w.session, now=datetime(2031, 6, 2, 9, 0, tzinfo=timezone.utc), settings=settings) == 0
    # 06:00 in Mexico City is 12:00 UTC.
    assert reminders.agendas(w.session, now=datetime(2031, 6, 2, 12, 0, tzinfo=timezone.utc), settings=settings) == 1
    rows = w.sql("SELECT doctor_id, details->>'day' FROM deliveries WHERE kind = 'agenda' ORDER BY id")
    assert [tuple(r) for r in rows] == [(dm["id"], "2031-06-02"), (dx["id"], "2031-06-02")]


def test_no_shows_are_marked_followed_up_and_repeat_patients_flagged(w, settings):
    on, off = w.clinic(), w.clinic(noshow=False)
    service = w.service()
    d_on, d_off = w.doctor(on, service), w.doctor(off, service)
    patient = w.user()
    earlier = [w.appointment(d_on, patient, service, T0 - k * 24 * H) for k in (10, 5)]
    w.sql("UPDATE appointments SET status = 'no_show' WHERE id = ANY(:ids)", ids=earlier)
    appt = w.appointment(d_on, patient, service, T0)
    untouched = w.appointment(d_off, w.user(), service, T0)
    # Ends 07:30; grace 30 min: still booked at 07:59, a no-show at 08:00.
    assert no_shows.no_shows(w.session, now=T0 + 59 * timedelta(minutes=1), settings=settings) == 0
    assert no_shows.no_shows(w.session, now=T0 + H, settings=settings) == 1
    assert no_shows.no_shows(w.session, now=T0 + 2 * H, settings=settings) == 0
    assert w.scalar("SELECT status FROM appointments WHERE id = :a", a=appt) == "no_show"
    assert w.scalar("SELECT sequence FROM appointments WHERE id = :a", a=appt) == 1
    assert w.scalar("SELECT status FROM appointments WHERE id = :a", a=untouched) == "booked"
    assert w.scalar("SELECT action FROM appointment_history WHERE appointment_id = :a", a=appt) == "attendance"
    assert w.scalar("SELECT count(*) FROM outbox WHERE topic = 'appointment.attendance'") == 1
    assert w.scalar("SELECT key FROM deliveries WHERE appointment_id = :a", a=appt) == f"noshow:{appt}"
    assert w.scalar("SELECT no_show_flagged_at FROM users WHERE id = :u", u=patient["id"]) is not None


def test_two_no_shows_do_not_flag(w, settings):
    clinic = w.clinic()
    service = w.service()
    doctor = w.doctor(clinic, service)
    patient = w.user()
    old = w.appointment(doctor, patient, service, T0 - 100 * 24 * H)  # outside the 90 days
    w.sql("UPDATE appointments SET status = 'no_show' WHERE id = :a", a=old)
    w.appointment(doctor, patient, service, T0 - 24 * H)
    w.appointment(doctor, patient, service, T0)
    assert no_shows.no_shows(w.session, now=T0 + 2 * H, settings=settings) == 2
    assert w.scalar("SELECT no_show_flagged_at FROM users WHERE id = :u", u=patient["id"]) is None
