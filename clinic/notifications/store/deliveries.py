"""Delivery rows (the `deliveries` table): one per email or SMS to send, keyed so that a redelivered event
never yields a second message. The sending protocols that move them through their states are
clinic/notifications/service.py (email) and clinic/sms/sender.py (SMS)."""

from __future__ import annotations

import json

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from clinic.db import execute, fetch_value
from clinic.notifications.models import Delivery

_ENSURE = """
    WITH ins AS (
        INSERT INTO deliveries (key, kind, appointment_id, doctor_id, recipient_id, details)
        VALUES (%(key)s, %(kind)s, %(appointment_id)s, %(doctor_id)s, %(recipient_id)s, CAST(%(details)s AS jsonb))
        ON CONFLICT (key) DO NOTHING RETURNING id)
    SELECT id FROM ins UNION ALL SELECT id FROM deliveries WHERE key = %(key)s LIMIT 1
"""


def ensure(
    session: Session,
    *,
    key: str,
    kind: str,
    appointment_id: int | None = None,
    doctor_id: int | None = None,
    recipient_id: int | None = None,
    details: dict | None = None,
) -> int:
    """The id of the delivery with this key, creating it if new (one round trip, race-free)."""
    return fetch_value(
        session,
        _ENSURE,
        {
            "key": key,
            "kind": kind,
            "appointment_id": appointment_id,
            "doctor_id": doctor_id,
            "recipient_id": recipient_id,
            "details": json.dumps(details or {}),
        },
    )


def lock(session: Session, *, ids: list[int], kind: str | None = None) -> list[Delivery]:
    """These deliveries (of `kind`, when given), in id order, their rows locked until commit; with them, the
    other rows of any batch one of them is being sent in, so a batch is always sent again whole (the same
    request under the same key) whichever message reaches one of its rows."""
    in_batch = select(Delivery.batch_key).where(
        Delivery.id.in_(ids), Delivery.status == "sending", Delivery.batch_key.is_not(None)
    )
    stmt = select(Delivery).where(
        or_(Delivery.id.in_(ids), and_(Delivery.status == "sending", Delivery.batch_key.in_(in_batch)))
    )
    if kind is not None:
        stmt = stmt.where(Delivery.kind == kind)
    return list(session.scalars(stmt.order_by(Delivery.id).with_for_update()))


_FINISH = """
    UPDATE deliveries d SET status = CAST(%(status)s AS varchar), payload = NULL, error = %(error)s,
           provider_id = v.pid, sent_at = CASE WHEN CAST(%(status)s AS varchar) = 'sent' THEN now() END
    FROM unnest(CAST(%(ids)s AS bigint[]), CAST(%(pids)s AS text[])) AS v(id, pid)
    WHERE d.id = v.id AND d.status = 'sending'
"""


def finish(
    session: Session, *, ids: list[int], provider_ids: list[str | None], status: str, error: str | None = None
) -> None:
    """Move `sending` rows to `status`, each with its provider id (in the order of `ids`), dropping the stored
    request; `sent_at` is set when sent. Rows in any other state are left as they are."""
    execute(session, _FINISH, {"ids": ids, "pids": provider_ids, "status": status, "error": error})
