"""Medical records: append-only versions and entries, break-glass grants, the audit trail, data exports.

Everything clinical is append-only: `record_versions`, `record_entries`, `break_glass_grants` and
`record_audit` refuse UPDATE, DELETE and TRUNCATE through triggers (migration 0005), so a correction is
always a new row that points at the old one.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.db import Base

if TYPE_CHECKING:
    from clinic.identity.models import User

EXPORT_STATUSES = ("pending", "ready", "failed")


class MedicalRecord(Base):
    """One per patient: the number of the current version (bumped atomically by each update)."""

    __tablename__ = "medical_records"

    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    current_version: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RecordVersion(Base):
    """The structured part of a record (allergies, conditions, medications) as one doctor left it."""

    __tablename__ = "record_versions"
    __table_args__ = (
        UniqueConstraint("patient_id", "version", name="uq_record_versions_patient_version"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("medical_records.patient_id"))
    version: Mapped[int] = mapped_column(Integer)
    allergies: Mapped[list[str]] = mapped_column(ARRAY(Text))
    conditions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    medications: Mapped[list[str]] = mapped_column(ARRAY(Text))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    break_glass: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RecordEntry(Base):
    """A clinical note. A correction is a new entry whose `corrects_id` names the entry it amends."""

    __tablename__ = "record_entries"
    __table_args__ = (Index("ix_record_entries_patient_id", "patient_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("medical_records.patient_id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("record_entries.id"))
    break_glass: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Loaded with the entry (one query): a note says who wrote it.
    author: Mapped[User] = relationship("User", lazy="joined", viewonly=True)

    @property
    def author_name(self) -> str:
        return self.author.full_name


class BreakGlassGrant(Base):
    """Emergency access of a doctor without a care relationship, valid until `expires_at`."""

    __tablename__ = "break_glass_grants"
    __table_args__ = (Index("ix_break_glass_grants_lookup", "doctor_user_id", "patient_id", "expires_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    doctor_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RecordAudit(Base):
    """One row per read or write attempt on a record, allowed or denied. Never updated, never deleted.

    `patient_id` has no foreign key on purpose: a denied probe for an id that is not a patient is audited too.
    """

    __tablename__ = "record_audit"
    __table_args__ = (
        Index("ix_record_audit_patient_id", "patient_id", "id"),
        Index("ix_record_audit_actor_id", "actor_id", "id"),
        CheckConstraint("outcome IN ('granted', 'denied', 'invalid')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_role: Mapped[str] = mapped_column(String(20))
    patient_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(45))
    break_glass: Mapped[bool] = mapped_column(Boolean, server_default="false")
    reason: Mapped[str | None] = mapped_column(Text)
    # What the action touched, when it is a row of its own (a version number, an entry or grant id).
    object_id: Mapped[int | None] = mapped_column(BigInteger)


class DataExport(Base):
    """A patient's request for everything held about them; the worker fills `document`."""

    __tablename__ = "data_exports"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'ready', 'failed')", name="status"),
        Index("ix_data_exports_user_id", "user_id", "requested_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    requested_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    document: Mapped[dict | None] = mapped_column(JSONB)
