"""A patient's phone and explicit consent to SMS/WhatsApp reminders: given by the patient (PATCH /api/me)
or recorded by the front desk for a walk-in (PATCH /api/patients/{id}); withdrawn by STOP/BAJA."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clinic.errors import Invalid
from clinic.identity.models import User
from clinic.identity.patients import require_patient
from clinic.sms.phones import to_e164

_UNSET = object()


def apply(user: User, *, phone=_UNSET, opt_in: bool | None = None, recorded_by: int, now: datetime) -> User:
    """Change the phone (E.164, or None to remove it) and/or the consent. Consent needs a phone; removing or
    changing the number withdraws a consent given for the old one unless `opt_in` is given again."""
    if phone is not _UNSET:
        new_phone = to_e164(phone) if phone else None
        if new_phone != user.phone and user.sms_opt_in and opt_in is None:
            _opt_out(user, now)
        user.phone = new_phone
    if opt_in is True:
        if not user.phone:
            raise Invalid(
                "Give a phone number to receive SMS reminders.",
                fields={"sms_opt_in": "needs a phone number", "phone": "is required for SMS reminders"},
            )
        if not user.sms_opt_in:
            user.sms_opt_in, user.sms_opt_in_at, user.sms_consent_by = True, now, recorded_by
    elif opt_in is False and user.sms_opt_in:
        _opt_out(user, now)
    return user


def _opt_out(user: User, now: datetime) -> None:
    user.sms_opt_in, user.sms_opt_out_at = False, now


def record_sms_consent(
    session: Session, *, user_id: int, phone=_UNSET, opt_in: bool | None = None, recorded_by: int, now: datetime
) -> User:
    """Staff record a patient's (e.g. a walk-in's) phone and consent; 404 unless `user_id` is a patient."""
    require_patient(session, user_id)
    user = session.get(User, user_id, with_for_update=True)
    apply(user, phone=phone, opt_in=opt_in, recorded_by=recorded_by, now=now)
    session.flush()
    return user


def opt_out(session: Session, *, user_id: int, now: datetime) -> None:
    """STOP/BAJA: no more SMS to this patient until they opt in again."""
    user = session.get(User, user_id, with_for_update=True)
    if user is not None and user.sms_opt_in:
        _opt_out(user, now)
        session.flush()


UNSET = _UNSET
