"""Appointment change events for the live stream (`GET /api/events`), and who may see each one.

The outbox relay already sees every committed appointment change (booked, moved, cancelled, attendance,
whoever made it: a browser, the front desk, a worker's cascade). After handing a batch to the broker it
reads the appointments named by the batch and publishes one event per appointment on a Redis channel;
each web process holds one subscriber and fans the events out to its open streams, each filtered by
`Audience.sees`. An event carries the appointment's state when it was read (at least as new as the change
that caused it): clients treat it as "this appointment changed, refresh what shows it".
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinic.availability.service import zone
from clinic.live import store
from clinic.topics import APPOINTMENT_TOPICS


def channel(redis_db: int) -> str:
    """The pub/sub channel. Redis channels ignore the database number, so it is part of the name: two
    deployments (or test runs) sharing one Redis server on different databases never see each other's."""
    return f"clinic:{redis_db}:live:appointments"


def appointment_ids(rows) -> list[int]:
    """The appointments named by a batch of outbox rows `(id, topic, payload)`."""
    ids = {int(p["appointment_id"]) for _, topic, p in rows if topic in APPOINTMENT_TOPICS and p.get("appointment_id")}
    return sorted(ids)


def read_events(session: Session, ids: list[int]) -> list[dict]:
    """The current state of these appointments, as events (times in the clinic's zone)."""
    if not ids:
        return []
    return [
        {
            "id": r.id,
            "doctor_id": r.doctor_id,
            "clinic_id": r.clinic_id,
            "patient_id": r.patient_id,
            "status": r.status,
            "starts_at": r.starts_at.astimezone(zone(r.timezone)).isoformat(),
        }
        for r in store.appointments(session, ids=ids)
    ]


def encode(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def public(event: dict) -> dict:
    """What a stream sends: the contract's fields (the patient id only decides who gets it)."""
    return {k: event[k] for k in ("id", "doctor_id", "clinic_id", "status", "starts_at")}


@dataclass(frozen=True)
class Audience:
    """Who a stream belongs to: staff see every change, a doctor their own appointments, a patient theirs."""

    everything: bool = False
    patient_id: int | None = None
    doctor_ids: frozenset[int] = frozenset()

    def sees(self, event: dict) -> bool:
        if self.everything:
            return True
        if self.patient_id is not None and event.get("patient_id") == self.patient_id:
            return True
        return event.get("doctor_id") in self.doctor_ids


def audience_of(session: Session, *, user_id: int, role: str) -> Audience:
    """The audience of a signed-in account (staff: everything; doctor: their profiles; patient: self)."""
    if role in ("receptionist", "admin"):
        return Audience(everything=True)
    if role == "doctor":
        return Audience(doctor_ids=store.doctor_ids(session, user_id=user_id))
    return Audience(patient_id=user_id)
