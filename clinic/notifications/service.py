"""Exactly-once email: claim delivery rows under a lock, send with their key, mark them sent.

Protocol (each step survives a SIGKILL at any point):
1. In one transaction, lock the rows (FOR UPDATE). `sent`/`skipped`/`failed` rows are done. `pending`
   rows are re-checked and rendered now: either `skipped`, or `sending` with the rendered request and
   the provider key stored. Commit.
2. Send the stored request with its key (a single email: the row's key; a batch: a hash of its rows'
   keys). Rows already `sending` after a crash are re-sent byte for byte with the same key, which the
   provider answers from its idempotency store instead of sending again. Invitations are stored as whole
   MIME messages and go over SMTP, one per key, the key in their `Resend-Idempotency-Key` header; the rest
   goes through the HTTP API.
3. Mark the rows `sent` in a second transaction. A crash before this commit repeats step 2 (no
   duplicate, see above); a crash after it only re-runs step 1, which finds them sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from clinic.clock import utcnow
from clinic.notifications.mailer import MAX_BATCH, Mailer, PermanentSendError, SmtpMailer
from clinic.notifications.render import SMTP, Renderer
from clinic.notifications.store import deliveries
from clinic.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


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
    return deliveries.ensure(
        session,
        key=key,
        kind=kind,
        appointment_id=appointment_id,
        doctor_id=doctor_id,
        recipient_id=recipient_id,
        details=details,
    )


BATCH_PREFIX = "batch-"


def batch_key(keys: list[str]) -> str:
    return BATCH_PREFIX + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:48]


def _no_checkpoint(point: str) -> None:
    return None


class Sender:
    def __init__(
        self,
        factory: sessionmaker[Session],
        mailer: Mailer,
        renderer: Renderer,
        checkpoint: Callable[[str], None] = _no_checkpoint,
        smtp: SmtpMailer | None = None,
    ):
        self.factory = factory
        self.mailer = mailer
        self.smtp = smtp
        self.renderer = renderer
        self.checkpoint = checkpoint

    def deliver(self, delivery_ids: list[int], *, batch: bool, now: datetime | None = None) -> int:
        """Send these deliveries; `batch` groups newly claimed rows into batch calls (no attachments).
        Returns the number of emails handed to the provider."""
        groups = self._claim(delivery_ids, batch=batch, now=now or utcnow())
        sent = 0
        for key, rows in groups.items():
            self.checkpoint("before_send")
            try:
                if key.startswith(BATCH_PREFIX):
                    ids = self.mailer.send_batch([payload for _, _, payload in rows], key=key)
                elif SMTP in rows[0][2]:
                    ids = [self._smtp().send(rows[0][2][SMTP], key=key)]
                else:
                    ids = [self.mailer.send(rows[0][2], key=key)]
            except PermanentSendError as exc:
                log.error("email refused by the provider; marked failed", extra={"task": str(exc)})
                self._finish([row_id for row_id, _, _ in rows], None, status="failed", error=str(exc)[:200])
                continue
            self.checkpoint("after_send")
            self._finish([row_id for row_id, _, _ in rows], ids, status="sent")
            self.checkpoint("before_ack")
            sent += len(rows)
        return sent

    def _claim(self, delivery_ids: list[int], *, batch: bool, now: datetime) -> dict[str, list[tuple[int, str, dict]]]:
        groups: dict[str, list[tuple[int, str, dict]]] = defaultdict(list)
        with UnitOfWork(self.factory) as uow:
            session = uow.session
            rows = deliveries.lock(session, ids=delivery_ids)
            fresh = [r for r in rows if r.status == "pending"]
            rendered = self.renderer.render(session, fresh, now=now) if fresh else {}
            for row in fresh:
                payload = rendered.get(row.id)
                if payload is None:
                    row.status = "skipped"
                    continue
                row.status, row.payload, row.attempts = "sending", payload, row.attempts + 1
            sending = [r for r in rows if r.status == "sending"]
            # A row keeps the provider key it was first claimed with (its own key when sent alone), so a
            # retry, or another path reaching the same row, repeats exactly the same request.
            for r in sending:
                if r.batch_key is None and SMTP in r.payload:
                    r.batch_key = r.key  # a MIME message carries its own key: never batched
            unkeyed = [r for r in sending if r.batch_key is None]
            size = MAX_BATCH if batch else 1
            for start in range(0, len(unkeyed), size):
                chunk = unkeyed[start : start + size]
                key = batch_key([r.key for r in chunk]) if batch else chunk[0].key
                for r in chunk:
                    r.batch_key = key
            for r in sending:
                groups[r.batch_key].append((r.id, r.key, r.payload))
        return dict(groups)

    def _smtp(self) -> SmtpMailer:
        if self.smtp is None:  # rendered by a process with SMTP_URL, sent by one without it
            raise PermanentSendError("an invitation needs SMTP_URL")
        return self.smtp

    def _finish(
        self, row_ids: list[int], provider_ids: list[str] | None, *, status: str, error: str | None = None
    ) -> None:
        with UnitOfWork(self.factory) as uow:
            session = uow.session
            deliveries.finish(
                session, ids=row_ids, provider_ids=provider_ids or [None] * len(row_ids), status=status, error=error
            )
