"""Patients registered by the front desk (walk-ins)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.clock import utcnow
from clinic.identity.walk_ins import register_walk_in
from web import database
from web.access import STAFF, access
from web.extensions import spec
from web.schemas.common import ErrorOut
from web.schemas.identity import PatientOut, WalkInIn

bp = Blueprint("patients", __name__, url_prefix="/api")
TAGS = ["users"]
SECURITY = {"bearer": []}


def patient_out(user) -> PatientOut:
    return PatientOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        locale=user.locale,
        phone=user.phone,
        email_verified=user.email_verified,
        birth_date=user.birth_date,
        has_password=user.password_hash is not None,
    )


@bp.post("/patients")
@access(*STAFF)
@database.unit_of_work()
@spec.validate(json=WalkInIn, resp=Response(HTTP_201=PatientOut, HTTP_409=ErrorOut), tags=TAGS, security=SECURITY)
def register_patient():
    """Register a walk-in patient (receptionists, admins): no password; without an email they never sign in
    and are never emailed (the desk books for them); with one they get a link to choose a password (7 days).
    409 `email_taken` when the address already has an account (book for that patient instead)."""
    body: WalkInIn = request.context.json
    user = register_walk_in(
        database.session(),
        full_name=body.full_name,
        phone=body.phone,
        email=str(body.email) if body.email else None,
        birth_date=body.birth_date,
        locale=body.locale,
        secret=current_app.config["SETTINGS"].jwt_secret_key,
        now=utcnow(),
    )
    return patient_out(user), 201
