"""The doctor's record page in real Chromium, opened directly (no name in the URL): the patient comes from
the API (name, age, date of birth), allergies at a glance, past and upcoming visits with this doctor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in, snap

pytestmark = pytest.mark.e2e


def test_the_record_page_shows_who_the_patient_is_from_the_api(page: Page, world, engine):
    name = f"Rosario Vega {world.tag[:4]}"
    patient = world.ok(
        "POST",
        "/api/patients",
        {"full_name": name, "birth_date": "1961-05-04"},
        token=world.login(world.receptionist_email),
    )
    # A past visit (completed, written directly: no API books the past) and an upcoming one, with this doctor.
    past = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
            "blocked_until, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'completed')",
            (
                world.doctor["id"],
                patient["id"],
                world.service["id"],
                world.clinic["id"],
                past,
                past + timedelta(minutes=30),
                past + timedelta(minutes=30),
            ),
        )
    day = (datetime.now(timezone.utc) + timedelta(days=9)).date().isoformat()
    free = world.ok(
        "GET",
        f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}"
        f"&from={day}&to={day}&patient_id={patient['id']}",
    )["slots"]
    world.ok(
        "POST",
        "/api/appointments",
        {
            "doctor_id": world.doctor["id"],
            "service_id": world.service["id"],
            "starts_at": free[0]["starts_at"],
            "patient_id": patient["id"],
        },
    )
    doctor = world.login(world.doctor_email)
    world.ok("PATCH", f"/api/patients/{patient['id']}/record", {"allergies": ["Penicilina", "Látex"]}, token=doctor)
    today = datetime.now(timezone.utc).date()
    age = today.year - 1961 - ((today.month, today.day) < (5, 4))

    sign_in(page, world.doctor_email, "Mi agenda")
    page.goto(f"/patients/{patient['id']}/record")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historial clínico: {name}")
    expect(page.locator(".patient-facts")).to_have_text(f"{age} años · nacido/a el 4 de mayo de 1961")
    expect(page.get_by_role("note", name="Alergias")).to_have_text("Alergias: Penicilina, Látex")
    visits = page.locator(".visits-panel")
    expect(visits.locator("section").nth(0).locator("li")).to_have_count(1)  # upcoming
    expect(visits.locator("section").nth(1).locator("li")).to_have_count(1)  # past
    expect(visits.locator("section").nth(1)).to_contain_text("Atendida")
    snap(page, "80-record-page-direct")

    # The record API carries the patient (and its read is audited like any other read of the record).
    record = world.ok("GET", f"/api/patients/{patient['id']}/record", token=doctor)
    assert record["patient"] == {"id": patient["id"], "full_name": name, "birth_date": "1961-05-04", "age": age}
