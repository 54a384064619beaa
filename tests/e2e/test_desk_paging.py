"""Issue 18, item 1: the desk's week view shows every appointment of the week, however many pages the API
answers them in, and only the selected clinic's (real web process, PostgreSQL and Chromium)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.e2e.conftest import ZONE
from tests.e2e.helpers import LANGS, sign_in_speaking, snap, speaking

DOCTORS, DAYS, PER_DAY = 10, 6, 10  # Monday to Saturday: 600 appointments, 100 a day, 10 at a time


def _busy_clinic(world, lang: str) -> tuple[dict, list[dict]]:
    """A clinic with ten doctors, each with hours every day (made through the API, as an admin would)."""
    clinic = world.ok("POST", "/api/clinics", {"name": f"Clínica Llena {lang} {world.tag[:4]}", "timezone": ZONE})
    doctors = []
    for n in range(DOCTORS):
        doctor = world.ok(
            "POST",
            "/api/doctors",
            {
                "email": world.email(f"busy{n}-{lang}"),
                "password": PASSWORD,
                "full_name": f"Dr. Ocupado {n} {lang} {world.tag[:4]}",
                "specialty": "Medicina general",
                "clinic_id": clinic["id"],
                "service_ids": [world.service["id"]],
            },
        )
        world.ok(
            "PUT",
            f"/api/doctors/{doctor['id']}/working-hours",
            [{"weekday": d, "start": "08:00", "end": "14:00"} for d in range(7)],
        )
        doctors.append(doctor)
    return clinic, doctors


def _fill_week(clinic: dict, doctors: list[dict], patients: list[dict], service_id: int, monday) -> None:
    """600 booked appointments in one week, written straight to the table (far more than any booking test
    needs to go through the API): each doctor sees their own patient every 30 minutes from 08:00 to 13:00."""
    zone = ZoneInfo(ZONE)
    rows = []
    for day in range(DAYS):
        for slot in range(PER_DAY):
            starts = datetime.combine(monday + timedelta(days=day), time(8), tzinfo=zone) + timedelta(minutes=30 * slot)
            for doctor, patient in zip(doctors, patients, strict=False):
                rows.append((doctor["id"], patient["id"], clinic["id"], starts, starts + timedelta(minutes=30)))
    with psycopg.connect(TEST_DATABASE_URL) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
            "blocked_until, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'booked')",
            [(d, p, service_id, c, s, e, e) for d, p, c, s, e in rows],
        )


@pytest.mark.parametrize("lang", LANGS)
def test_the_desk_week_view_shows_all_600_appointments_of_the_selected_clinic(page: Page, world, lang):
    clinic, doctors = _busy_clinic(world, lang)
    patients = [
        world.ok(
            "POST",
            "/api/users",
            {
                "email": world.email(f"busy-patient{n}-{lang}"),
                "password": PASSWORD,
                "full_name": f"Paciente {n} {lang} {world.tag[:4]}",
                "role": "patient",
            },
        )
        for n in range(DOCTORS)
    ]
    today = datetime.now(ZoneInfo(ZONE)).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    _fill_week(clinic, doctors, patients, world.service["id"], monday)
    # The other clinic's appointment that week must not appear in this clinic's calendar.
    other_day = monday + timedelta(days=2 if lang == "es" else 3)
    world.ok(
        "POST",
        "/api/appointments",
        {
            "doctor_id": world.doctor["id"],
            "service_id": world.service["id"],
            "patient_id": world.seen["id"],
            "starts_at": datetime.combine(other_day, time(9), tzinfo=ZoneInfo(ZONE)).isoformat(),
        },
    )
    listed = []
    page.on("request", lambda r: "/api/appointments?" in r.url and listed.append(r.url))

    with speaking(world, lang, world.receptionist_email) as w:
        sign_in_speaking(page, world.receptionist_email, lang, "desk")
        page.get_by_label(w["clinic"], exact=True).select_option(label=clinic["name"])
        calendar = page.locator(".calendar")
        calendar.get_by_role("button", name=w["week"], exact=True).click()
        calendar.get_by_role("button", name=w["next"], exact=True).click()
        # (Six pages of 100 on a machine shared by several test runs: allow it more than the default 5 s.)
        expect(page.locator("[aria-busy]").filter(has=calendar)).to_have_attribute("aria-busy", "false", timeout=30000)
        _check_all_600(page, world, calendar, clinic, monday, listed, lang)


def _check_all_600(page, world, calendar, clinic, monday, listed, lang) -> None:
    events = calendar.locator(".rbc-event")
    expect(events).to_have_count(DOCTORS * DAYS * PER_DAY, timeout=30000)
    # One column per doctor within each day (the desk's resource view): 7 days of DOCTORS columns each.
    columns = calendar.locator(".rbc-time-content .rbc-day-slot")
    expect(columns).to_have_count(7 * DOCTORS)
    counts = [columns.nth(n).locator(".rbc-event").count() for n in range(7 * DOCTORS)]
    per_day = [sum(counts[d * DOCTORS : (d + 1) * DOCTORS]) for d in range(7)]
    assert per_day == [DOCTORS * PER_DAY] * DAYS + [0], counts
    assert set(counts[: DAYS * DOCTORS]) == {PER_DAY}, counts  # each doctor's own column holds their day
    assert events.filter(has_text=world.seen["full_name"]).count() == 0
    week = [url for url in listed if f"from={monday}" in url]
    assert any("cursor=" in url for url in week), week  # more than one page was followed
    assert all(f"clinic_id={clinic['id']}" in url for url in week), week
    if lang == "es":
        snap(page, "34-desk-week-600", back=lang)
