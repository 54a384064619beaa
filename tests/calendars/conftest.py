"""A clinic, service, doctor (with working hours) and patients created through the real API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest


@dataclass
class Cast:
    admin: str
    clinic: dict
    service: dict
    doctor: dict
    doctor_token: str
    patient: object
    patient_token: str


@pytest.fixture()
def cast(api, make_user, token_for) -> Cast:
    admin = token_for(make_user("admin"))
    clinic = api.post(
        "/api/clinics",
        admin,
        json={"name": "Clínica Sol", "timezone": "Europe/Madrid", "address": "Calle Mayor 1, 28013 Madrid"},
    ).get_json()
    service = api.post(
        "/api/services", admin, json={"name": "Cardiología: ecocardiograma", "duration_minutes": 30}
    ).get_json()
    email = f"doc-{uuid.uuid4().hex[:8]}@example.com"
    response = api.post(
        "/api/doctors",
        admin,
        json={
            "email": email,
            "password": "Correct-Horse-9",
            "full_name": "Dra. Marta Ruiz",
            "specialty": "Cardiología",
            "clinic_id": clinic["id"],
            "service_ids": [service["id"]],
        },
    )
    assert response.status_code == 201, response.get_json()
    doctor = response.get_json()
    hours = [{"weekday": day, "start": "08:00", "end": "20:00"} for day in range(7)]
    assert api.put(f"/api/doctors/{doctor['id']}/working-hours", admin, json=hours).status_code == 200
    patient = make_user("patient", full_name="Ana Pérez López")
    return Cast(admin, clinic, service, doctor, api.login(email)["access_token"], patient, token_for(patient))


def free_slots(api, cast: Cast, *, days_ahead: int = 3, days: int = 7) -> list[str]:
    start = date.today() + timedelta(days=days_ahead)
    response = api.get(
        f"/api/doctors/{cast.doctor['id']}/slots",
        cast.patient_token,
        query_string={
            "service_id": cast.service["id"],
            "from": start.isoformat(),
            "to": (start + timedelta(days=days)).isoformat(),
        },
    )
    assert response.status_code == 200, response.get_json()
    return [slot["starts_at"] for slot in response.get_json()["slots"]]


def book(api, cast: Cast, starts_at: str, reason: str = "palpitaciones nocturnas") -> dict:
    response = api.post(
        "/api/appointments",
        cast.patient_token,
        json={
            "doctor_id": cast.doctor["id"],
            "service_id": cast.service["id"],
            "starts_at": starts_at,
            "reason": reason,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()
