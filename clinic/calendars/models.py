"""Subscription feeds: one per user, found by the SHA-256 of its secret token, with the stored document."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Identity, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.db import Base, CreatedAt


class CalendarFeed(CreatedAt, Base):
    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # The token is HMAC(secret, nonce): the owner can be shown the same URL again, a database dump alone
    # does not reveal it, and rotating the nonce revokes it. Requests are matched on its SHA-256.
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    rotated_at: Mapped[datetime | None]
    # The document the workers built last; NULL until the first build.
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_gzip: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(String(80))
    # When the content last changed (Last-Modified, whole seconds) and when it was last rebuilt.
    modified_at: Mapped[datetime | None]
    built_at: Mapped[datetime | None]
