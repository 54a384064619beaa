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
from datetime import datetime, timedelta

from icalendar import vDuration
from sqlalchemy.orm import Session

from clinic.calendars import ics, store
from clinic.calendars.store import Served
from clinic.clock import utcnow
from clinic.db import ThreadConnections
from clinic.outbox.service import emit
from clinic.topics import Topic

BACK_DAYS = 90
FEED_CREATED = Topic.FEED_CREATED

_TOKEN_CONTEXT = b"clinic calendar feed v1\x00"


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
    if store.create_feed(session, user_id=user_id, nonce=nonce, token_hash=hashed):
        emit(session, FEED_CREATED, user_id=user_id)
        return token_for(secret, nonce)
    return token_for(secret, store.nonce_of(session, user_id=user_id))


def rotate(session: Session, *, user_id: int, secret: str) -> str:
    """A new secret token; the old URL stops working at once. The stored document stays valid."""
    nonce, hashed = _new_nonce_and_hash(secret)
    if not store.rotate_feed(session, user_id=user_id, nonce=nonce, token_hash=hashed):
        return feed_token(session, user_id=user_id, secret=secret)
    return token_for(secret, nonce)


def serve(
    session: Session,
    *,
    token: str,
    etags: list[str] | None = None,
    any_etag: bool = False,
    since: datetime | None = None,
    gzip_ok: bool = False,
) -> Served | None:
    """The stored document for a token (None: no such feed), or an empty body when the client's copy is current."""
    return store.served(
        session, token_hash=token_hash(token), etags=etags, any_etag=any_etag, since=since, gzip_ok=gzip_ok
    )


def serve_fast(
    connections: ThreadConnections,
    *,
    token: str,
    etags: list[str] | None = None,
    any_etag: bool = False,
    since: datetime | None = None,
    gzip_ok: bool = False,
) -> Served | None:
    """`serve` for a WSGI fast path, on its thread's own connection (web/feed_fast_path.py); a database
    error comes out as SQLAlchemy's DBAPIError."""
    return store.served_on(
        connections, token_hash=token_hash(token), etags=etags, any_etag=any_etag, since=since, gzip_ok=gzip_ok
    )


def serve_built(session: Session, *, token: str, horizon_days: int, **conditions) -> Served | None:
    """Like `serve`, but a feed the workers have not built yet is built now, once (None: no such feed)."""
    served = serve(session, token=token, **conditions)
    if served is not None and served.content is None:
        _build_missing(session, token=token, horizon_days=horizon_days)
        served = serve(session, token=token, **conditions)
    return None if served is None or served.content is None else served


def _build_missing(session: Session, *, token: str, horizon_days: int) -> None:
    user_id = store.feed_owner_id(session, token_hash=token_hash(token))
    if user_id is not None:
        rebuild(session, user_id=user_id, horizon_days=horizon_days)


def document(session: Session, *, user_id: int, horizon_days: int, now: datetime | None = None) -> bytes | None:
    """The owner's METHOD:PUBLISH calendar; deterministic for the same data (stable ETag)."""
    owner = store.active_owner(session, user_id=user_id)
    if owner is None or owner.role not in ("patient", "doctor"):
        return None
    now = now or utcnow()
    is_doctor = owner.role == "doctor"
    rows = store.feed_appointments(
        session,
        user_id=user_id,
        as_doctor=is_doctor,
        since=now - timedelta(days=BACK_DAYS),
        until=now + timedelta(days=horizon_days + 1),
    )
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
        event = ics.event(
            uid=row.ical_uid,
            sequence=row.sequence,
            stamp=row.updated_at,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            zone=row.zone,
            summary=summary,
            description=description,
            where=ics.location(row.clinic_name, row.clinic_address),
            status="CONFIRMED",
            created=row.created_at,
            modified=row.updated_at,
        )
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
    current = store.lock_feed(session, user_id=user_id)
    if current is None:
        return False
    now = now or utcnow()
    body = document(session, user_id=user_id, horizon_days=horizon_days, now=now)
    if body is None:
        return False
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    if etag == current.etag:
        store.touch_document(session, user_id=user_id, now=now)
        return False
    # Last-Modified has whole seconds: make each change a later second, or If-Modified-Since would hide it.
    modified_at = now.replace(microsecond=0)
    if current.modified_at is not None and modified_at <= current.modified_at:
        modified_at = current.modified_at + timedelta(seconds=1)
    store.store_document(
        session,
        user_id=user_id,
        body=body,
        body_gzip=gzip.compress(body, 6, mtime=0),
        etag=etag,
        modified_at=modified_at,
        now=now,
    )
    return True


def rebuild_for_appointment(
    session: Session, *, appointment_id: int, horizon_days: int, now: datetime | None = None
) -> list[int]:
    """Rebuild the feeds of an appointment's patient and doctor; the ids of users whose feed changed."""
    parties = store.parties(session, appointment_id=appointment_id)
    if parties is None:
        return []
    # Always lock in user id order, so two workers never wait on each other in a cycle.
    return [
        user_id
        for user_id in sorted(set(parties))
        if rebuild(session, user_id=user_id, horizon_days=horizon_days, now=now)
    ]


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
