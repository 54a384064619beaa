"""The calendars domain's SQL: subscription feeds (their rows, the appointments they list, the cheap read that
serves them) and the appointment an invitation describes.

Raw SQL in psycopg's `%(name)s` style through the platform helpers (clinic/db.py). The feed read (`SERVE`)
is the hottest statement of the domain: calendar clients poll it all day, so it runs on the binary fast path,
either on the session (`served`) or on a WSGI fast path's own per-thread connection (`served_on`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from clinic.appointments.models import Appointment
from clinic.db import Row, ThreadConnections, execute, fetch_all, fetch_one, fetch_value, first_row
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor


@dataclass(frozen=True)
class Served:
    etag: str | None
    last_modified: str | None  # an HTTP date
    content: bytes | None  # None: not built yet; b"": the client's copy is current (304)

    @property
    def not_modified(self) -> bool:
        return self.content == b""


# --- feed rows ---------------------------------------------------------------------------------------------

_CREATE = """
INSERT INTO calendar_feeds (user_id, nonce, token_hash) VALUES (%(user_id)s, %(nonce)s, %(token_hash)s)
ON CONFLICT (user_id) DO NOTHING RETURNING id"""
_NONCE = "SELECT nonce FROM calendar_feeds WHERE user_id = %(user_id)s"
_ROTATE = """
UPDATE calendar_feeds SET nonce = %(nonce)s, token_hash = %(token_hash)s, rotated_at = now()
WHERE user_id = %(user_id)s RETURNING id"""
_USER_BY_HASH = "SELECT user_id FROM calendar_feeds WHERE token_hash = %(token_hash)s"
_LOCK = "SELECT etag, modified_at FROM calendar_feeds WHERE user_id = %(user_id)s FOR UPDATE"
_STORE = """
UPDATE calendar_feeds SET body = %(body)s, body_gzip = %(body_gzip)s, etag = %(etag)s, modified_at = %(modified_at)s,
       built_at = %(now)s WHERE user_id = %(user_id)s"""
_TOUCH = "UPDATE calendar_feeds SET built_at = %(now)s WHERE user_id = %(user_id)s"


def create_feed(session: Session, *, user_id: int, nonce: bytes, token_hash: bytes) -> bool:
    """Create the user's feed row; False when they already have one (left as it is)."""
    return fetch_one(session, _CREATE, {"user_id": user_id, "nonce": nonce, "token_hash": token_hash}) is not None


def nonce_of(session: Session, *, user_id: int) -> bytes | None:
    return fetch_value(session, _NONCE, {"user_id": user_id})


def rotate_feed(session: Session, *, user_id: int, nonce: bytes, token_hash: bytes) -> bool:
    """Give the user's feed a new nonce and token hash; False when they have no feed."""
    return fetch_one(session, _ROTATE, {"user_id": user_id, "nonce": nonce, "token_hash": token_hash}) is not None


def feed_owner_id(session: Session, *, token_hash: bytes) -> int | None:
    return fetch_value(session, _USER_BY_HASH, {"token_hash": token_hash})


def lock_feed(session: Session, *, user_id: int) -> Row | None:
    """The feed's `etag` and `modified_at`, its row locked until commit (None: no feed)."""
    return fetch_one(session, _LOCK, {"user_id": user_id})


def store_document(
    session: Session, *, user_id: int, body: bytes, body_gzip: bytes, etag: str, modified_at: datetime, now: datetime
) -> None:
    execute(
        session,
        _STORE,
        {
            "user_id": user_id,
            "body": body,
            "body_gzip": body_gzip,
            "etag": etag,
            "modified_at": modified_at,
            "now": now,
        },
    )


def touch_document(session: Session, *, user_id: int, now: datetime) -> None:
    """Record a rebuild that changed nothing."""
    execute(session, _TOUCH, {"user_id": user_id, "now": now})


# --- what a feed lists ---------------------------------------------------------------------------------------

_OWNER = "SELECT role, locale, full_name FROM users WHERE id = %(user_id)s AND is_active"
_APPOINTMENTS = """
SELECT a.ical_uid, a.sequence, a.starts_at, a.ends_at, a.created_at, a.updated_at,
       c.name AS clinic_name, c.address AS clinic_address, c.timezone AS zone,
       du.full_name AS doctor_name, pu.full_name AS patient_name
FROM appointments a
JOIN clinics c ON c.id = a.clinic_id
JOIN doctors d ON d.id = a.doctor_id
JOIN users du ON du.id = d.user_id
JOIN users pu ON pu.id = a.patient_id
WHERE {owner} AND a.status <> 'cancelled' AND a.starts_at >= %(since)s AND a.starts_at < %(until)s
ORDER BY a.starts_at, a.id"""
_PATIENTS_APPOINTMENTS = _APPOINTMENTS.format(owner="a.patient_id = %(user_id)s")
_DOCTORS_APPOINTMENTS = _APPOINTMENTS.format(
    owner="a.doctor_id IN (SELECT id FROM doctors WHERE user_id = %(user_id)s)"
)
_PARTIES = """
SELECT a.patient_id, d.user_id FROM appointments a JOIN doctors d ON d.id = a.doctor_id WHERE a.id = %(id)s"""


def active_owner(session: Session, *, user_id: int) -> Row | None:
    """The account's `role`, `locale` and `full_name`, if it is active."""
    return fetch_one(session, _OWNER, {"user_id": user_id})


def feed_appointments(
    session: Session, *, user_id: int, as_doctor: bool, since: datetime, until: datetime
) -> list[Row]:
    """The appointments (not cancelled) starting in [since, until) of a patient, or of a doctor's profiles,
    in start order, with the clinic's, the doctor's and the patient's names."""
    return fetch_all(
        session,
        _DOCTORS_APPOINTMENTS if as_doctor else _PATIENTS_APPOINTMENTS,
        {"user_id": user_id, "since": since, "until": until},
    )


def parties(session: Session, *, appointment_id: int) -> tuple[int, int] | None:
    """The user ids of an appointment's patient and doctor."""
    return fetch_one(session, _PARTIES, {"id": appointment_id})


# --- serving a stored feed -------------------------------------------------------------------------------------

# One indexed lookup; the body only crosses the wire when the client's copy is stale.
_SERVE = """
SELECT f.etag, to_char(f.modified_at AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS "GMT"') AS last_modified,
       CASE WHEN f.body IS NULL THEN NULL
            WHEN f.etag = ANY(string_to_array(%(etags)s, ',')) OR %(any_etag)s
              OR (%(etags)s = '' AND NOT %(any_etag)s AND f.modified_at <= %(since)s) THEN CAST('' AS bytea)
            WHEN %(gzip)s THEN f.body_gzip ELSE f.body END AS content
FROM calendar_feeds f JOIN users u ON u.id = f.user_id AND u.is_active  -- a disabled account's feed is gone
WHERE f.token_hash = %(token_hash)s"""


def _serve_params(
    token_hash: bytes, etags: list[str] | None, any_etag: bool, since: datetime | None, gzip_ok: bool
) -> dict:
    # ETags are quoted hex, so a comma-joined string is an unambiguous (and cheap to bind) list.
    return {
        "token_hash": token_hash,
        "etags": ",".join(etags or ()),
        "any_etag": any_etag,
        "since": since,
        "gzip": gzip_ok,
    }


def served(
    session: Session,
    *,
    token_hash: bytes,
    etags: list[str] | None = None,
    any_etag: bool = False,
    since: datetime | None = None,
    gzip_ok: bool = False,
) -> Served | None:
    """The stored document of the feed with this token hash (None: no such feed, or its owner is disabled);
    its content is empty when the client's copy (`etags`, or `since` without them) is current."""
    row = first_row(session, _SERVE, _serve_params(token_hash, etags, any_etag, since, gzip_ok))
    return None if row is None else Served(*row)


def served_on(
    connections: ThreadConnections,
    *,
    token_hash: bytes,
    etags: list[str] | None = None,
    any_etag: bool = False,
    since: datetime | None = None,
    gzip_ok: bool = False,
) -> Served | None:
    """`served`, on the calling thread's own autocommit connection (a WSGI fast path: no session, no
    transaction). Driver errors come out as SQLAlchemy's DBAPIError."""
    row = connections.first_row(_SERVE, _serve_params(token_hash, etags, any_etag, since, gzip_ok))
    return None if row is None else Served(*row)


# --- one appointment, for its invitation -----------------------------------------------------------------------

_Patient = aliased(User)
_DoctorUser = aliased(User)
_INVITATION = (
    select(
        Appointment,
        Clinic.name,
        Clinic.address,
        Clinic.timezone,
        _Patient.email,
        _Patient.full_name,
        _Patient.locale,
        _DoctorUser.full_name,
    )
    .join(Clinic, Clinic.id == Appointment.clinic_id)
    .join(_Patient, _Patient.id == Appointment.patient_id)
    .join(Doctor, Doctor.id == Appointment.doctor_id)
    .join(_DoctorUser, _DoctorUser.id == Doctor.user_id)
)


def invitation_facts(session: Session, *, appointment_id: int):
    """`(appointment, clinic name, clinic address, zone, patient email, patient name, patient locale,
    doctor name)`, or None when there is no such appointment."""
    return session.execute(_INVITATION.where(Appointment.id == appointment_id)).one_or_none()
