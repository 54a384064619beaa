"""Subscription feeds: secret URLs, documents built by the workers, and the cheap read that serves them.

Choices: cancelled appointments are left out of the feed (a subscribed client replaces its copy on every
refresh, so the event simply disappears; STATUS:CANCELLED events are shown struck-through by some clients
and not at all by others). The window is 90 days back to the booking horizon. Doctors' feeds name the
patient only by first name and initial: the URL is a bearer secret synced to third-party calendars.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import vDuration
from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.calendars import ics
from clinic.clock import utcnow
from clinic.db import first_row
from clinic.outbox.service import emit
from clinic.topics import Topic

BACK_DAYS = 90
FEED_CREATED = Topic.FEED_CREATED

_TOKEN_CONTEXT = b"clinic calendar feed v1\x00"

_CREATE = text("""
INSERT INTO calendar_feeds (user_id, nonce, token_hash) VALUES (:user_id, :nonce, :token_hash)
ON CONFLICT (user_id) DO NOTHING RETURNING id""")
_NONCE = text("SELECT nonce FROM calendar_feeds WHERE user_id = :user_id")
_ROTATE = text("""
UPDATE calendar_feeds SET nonce = :nonce, token_hash = :token_hash, rotated_at = now()
WHERE user_id = :user_id RETURNING id""")
_OWNER = text("SELECT role, locale, full_name FROM users WHERE id = :user_id AND is_active")
_APPOINTMENTS = text("""
SELECT a.ical_uid, a.sequence, a.starts_at, a.ends_at, a.created_at, a.updated_at,
       c.name AS clinic_name, c.address AS clinic_address, c.timezone AS zone,
       du.full_name AS doctor_name, pu.full_name AS patient_name
FROM appointments a
JOIN clinics c ON c.id = a.clinic_id
JOIN doctors d ON d.id = a.doctor_id
JOIN users du ON du.id = d.user_id
JOIN users pu ON pu.id = a.patient_id
WHERE {owner} AND a.status <> 'cancelled' AND a.starts_at >= :since AND a.starts_at < :until
ORDER BY a.starts_at, a.id""")
_PATIENT_OWNER = "a.patient_id = :user_id"
_DOCTOR_OWNER = "a.doctor_id IN (SELECT id FROM doctors WHERE user_id = :user_id)"
_LOCK = text("SELECT etag, modified_at FROM calendar_feeds WHERE user_id = :user_id FOR UPDATE")
_STORE = text("""
UPDATE calendar_feeds SET body = :body, body_gzip = :body_gzip, etag = :etag, modified_at = :modified_at,
       built_at = :now WHERE user_id = :user_id""")
_TOUCH = text("UPDATE calendar_feeds SET built_at = :now WHERE user_id = :user_id")
_PARTIES = text("""
SELECT a.patient_id, d.user_id FROM appointments a JOIN doctors d ON d.id = a.doctor_id WHERE a.id = :id""")
_USER_BY_HASH = text("SELECT user_id FROM calendar_feeds WHERE token_hash = :token_hash")
# One indexed lookup; the body only crosses the wire when the client's copy is stale. Written in psycopg's
# parameter style: the web fast path runs it on its own connection (web/api/calendars.py), `serve` with first_row.
SERVE_SQL = """
SELECT f.etag, to_char(f.modified_at AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS "GMT"') AS last_modified,
       CASE WHEN f.body IS NULL THEN NULL
            WHEN f.etag = ANY(string_to_array(%(etags)s, ',')) OR %(any_etag)s
              OR (%(etags)s = '' AND NOT %(any_etag)s AND f.modified_at <= %(since)s) THEN CAST('' AS bytea)
            WHEN %(gzip)s THEN f.body_gzip ELSE f.body END AS content
FROM calendar_feeds f JOIN users u ON u.id = f.user_id AND u.is_active  -- a disabled account's feed is gone
WHERE f.token_hash = %(token_hash)s"""


@dataclass(frozen=True)
class Served:
    etag: str | None
    last_modified: str | None  # an HTTP date
    content: bytes | None  # None: not built yet; b"": the client's copy is current (304)

    @property
    def not_modified(self) -> bool:
        return self.content == b""


def token_for(secret: str, nonce: bytes) -> str:
    mac = hmac.new(secret.encode(), _TOKEN_CONTEXT + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _new_nonce_and_hash(secret: str) -> tuple[bytes, bytes]:
    nonce = os.urandom(18)
    return nonce, token_hash(token_for(secret, nonce))


def feed_token(session: Session, *, user_id: int, secret: str) -> str:
    """The owner's secret feed token, creating the feed (and asking the workers to build it) the first time."""
    nonce, hashed = _new_nonce_and_hash(secret)
    if session.execute(_CREATE, {"user_id": user_id, "nonce": nonce, "token_hash": hashed}).first():
        emit(session, FEED_CREATED, user_id=user_id)
        return token_for(secret, nonce)
    return token_for(secret, session.execute(_NONCE, {"user_id": user_id}).scalar_one())


def rotate(session: Session, *, user_id: int, secret: str) -> str:
    """A new secret token; the old URL stops working at once. The stored document stays valid."""
    nonce, hashed = _new_nonce_and_hash(secret)
    if session.execute(_ROTATE, {"user_id": user_id, "nonce": nonce, "token_hash": hashed}).first() is None:
        return feed_token(session, user_id=user_id, secret=secret)
    return token_for(secret, nonce)


def serve_params(*, token: str, etags: list[str] | None = None, any_etag: bool = False,
                 since: datetime | None = None, gzip_ok: bool = False) -> dict:
    # ETags are quoted hex, so a comma-joined string is an unambiguous (and cheap to bind) list.
    return {"token_hash": token_hash(token), "etags": ",".join(etags or ()), "any_etag": any_etag, "since": since,
            "gzip": gzip_ok}


def serve(session: Session, *, token: str, etags: list[str] | None = None, any_etag: bool = False,
          since: datetime | None = None, gzip_ok: bool = False) -> Served | None:
    """The stored document for a token (None: no such feed), or an empty body when the client's copy is current."""
    row = first_row(session, SERVE_SQL, serve_params(token=token, etags=etags, any_etag=any_etag, since=since,
                                                     gzip_ok=gzip_ok))
    return None if row is None else Served(row[0], row[1], row[2])


def serve_built(session: Session, *, token: str, horizon_days: int, **conditions) -> Served | None:
    """Like `serve`, but a feed the workers have not built yet is built now, once (None: no such feed)."""
    served = serve(session, token=token, **conditions)
    if served is not None and served.content is None:
        _build_missing(session, token=token, horizon_days=horizon_days)
        served = serve(session, token=token, **conditions)
    return None if served is None or served.content is None else served


def _build_missing(session: Session, *, token: str, horizon_days: int) -> None:
    user_id = session.execute(_USER_BY_HASH, {"token_hash": token_hash(token)}).scalar()
    if user_id is not None:
        rebuild(session, user_id=user_id, horizon_days=horizon_days)


def document(session: Session, *, user_id: int, horizon_days: int, now: datetime | None = None) -> bytes | None:
    """The owner's METHOD:PUBLISH calendar; deterministic for the same data (stable ETag)."""
    owner = session.execute(_OWNER, {"user_id": user_id}).first()
    if owner is None or owner.role not in ("patient", "doctor"):
        return None
    now = now or utcnow()
    is_doctor = owner.role == "doctor"
    stmt = text(_APPOINTMENTS.text.format(owner=_DOCTOR_OWNER if is_doctor else _PATIENT_OWNER))
    rows = session.execute(stmt, {"user_id": user_id, "since": now - timedelta(days=BACK_DAYS),
                                  "until": now + timedelta(days=horizon_days + 1)}).all()
    words = ics.texts(owner.locale)
    sender = ics.email_from()
    _, organizer_email = ics.organizer_mailbox(sender)
    cal = ics.new_calendar("PUBLISH", name=words["feed_name"].format(name=owner.full_name))
    cal.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    # Outlook's refresh rate. An explicit vDuration: icalendar writes str(timedelta) ("0:15:00") for a
    # property it does not know.
    cal.add("x-published-ttl", vDuration(timedelta(minutes=15)))
    if rows:
        ics.add_timezones(cal, (row.zone for row in rows), rows[0].starts_at.date(), rows[-1].ends_at.date())
    else:  # RFC 5545 wants at least one component in a VCALENDAR, even with nothing booked
        ics.add_timezones(cal, ["Etc/UTC"], now.date(), now.date())
    for row in rows:
        if is_doctor:
            summary = words["doctor_summary"].format(patient=_short_name(row.patient_name))
            description = words["manage"]
        else:
            summary = words["summary"].format(clinic=row.clinic_name)
            description = words["with_doctor"].format(doctor=row.doctor_name) + "\n" + words["manage"]
        event = ics.event(uid=row.ical_uid, sequence=row.sequence, stamp=row.updated_at,
                          starts_at=row.starts_at, ends_at=row.ends_at, zone=row.zone, summary=summary,
                          description=description, where=ics.location(row.clinic_name, row.clinic_address),
                          status="CONFIRMED", created=row.created_at, modified=row.updated_at)
        event.add("organizer", ics.address(organizer_email, row.clinic_name))
        if not is_doctor:
            event.add_component(ics.alarm(words["alarm"].format(clinic=row.clinic_name)))
        cal.add_component(event)
    return cal.to_ical()


def rebuild(session: Session, *, user_id: int, horizon_days: int, now: datetime | None = None) -> bool:
    """Rebuild and store one user's feed if they have one; True when the content changed.

    The row lock serialises concurrent rebuilds of one feed, and the appointments are read after it is
    taken, so a slower worker holding an older picture can never overwrite a newer document.
    """
    current = session.execute(_LOCK, {"user_id": user_id}).first()
    if current is None:
        return False
    now = now or utcnow()
    body = document(session, user_id=user_id, horizon_days=horizon_days, now=now)
    if body is None:
        return False
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    if etag == current.etag:
        session.execute(_TOUCH, {"user_id": user_id, "now": now})
        return False
    # Last-Modified has whole seconds: make each change a later second, or If-Modified-Since would hide it.
    modified_at = now.replace(microsecond=0)
    if current.modified_at is not None and modified_at <= current.modified_at:
        modified_at = current.modified_at + timedelta(seconds=1)
    session.execute(_STORE, {"user_id": user_id, "body": body, "body_gzip": gzip.compress(body, 6, mtime=0),
                             "etag": etag, "modified_at": modified_at, "now": now})
    return True


def rebuild_for_appointment(session: Session, *, appointment_id: int, horizon_days: int,
                            now: datetime | None = None) -> list[int]:
    """Rebuild the feeds of an appointment's patient and doctor; the ids of users whose feed changed."""
    parties = session.execute(_PARTIES, {"id": appointment_id}).first()
    if parties is None:
        return []
    # Always lock in user id order, so two workers never wait on each other in a cycle.
    return [user_id for user_id in sorted(set(parties))
            if rebuild(session, user_id=user_id, horizon_days=horizon_days, now=now)]


def rebuild_for_message(session: Session, *, topic: str, payload: dict, horizon_days: int) -> None:
    """The worker's job for one outbox message: calendar.feed_created or any appointment.* topic."""
    if topic == FEED_CREATED:
        rebuild(session, user_id=int(payload["user_id"]), horizon_days=horizon_days)
    elif "appointment_id" in payload:
        rebuild_for_appointment(session, appointment_id=int(payload["appointment_id"]), horizon_days=horizon_days)


def _short_name(full_name: str) -> str:
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return f"{parts[0]} {parts[-1][0]}."
