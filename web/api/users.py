"""The signed-in user (profile, password), and accounts managed by admins."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, current_app, request
from flask_jwt_extended import get_jwt
from pydantic import Field
from spectree import Response

from clinic.clock import utcnow
from clinic.identity import service as accounts
from clinic.identity import resets, signup
from clinic.identity.models import User
from clinic.sms import consent
from web import database
from web.access import SIGNED_IN, STAFF, access, current_actor
from web.api.auth import auth_limit
from web.extensions import limiter, spec
from web.schemas.common import ErrorOut, Line, Strict
from web.schemas.identity import AdminUserOut, ChangePasswordIn, CreateUserIn, UpdateMeIn, UpdateUserIn, UserOut

bp = Blueprint("users", __name__, url_prefix="/api")
TAGS = ["users"]
SECURITY = {"bearer": []}


class UserQuery(Strict):
    q: Line | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, pattern="^(patient|doctor|receptionist|admin)$")
    limit: int = Field(default=50, ge=1, le=200)


class StaffUserOut(AdminUserOut):
    no_show_flagged_at: datetime | None = None


class UserList(Strict):
    items: list[StaffUserOut]


@bp.get("/me")
@access(SIGNED_IN)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=UserOut), tags=TAGS, security=SECURITY)
def me():
    """The signed-in user."""
    user = database.session().get(User, current_actor().user_id)
    return UserOut.model_validate(user)


@bp.patch("/me")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(json=UpdateMeIn, resp=Response(HTTP_200=UserOut, HTTP_422=ErrorOut), tags=TAGS, security=SECURITY)
def update_me():
    """Change one's own name, phone (E.164) or language, and give or withdraw consent to SMS/WhatsApp
    reminders (`sms_opt_in`; consent needs a phone, and changing the number withdraws a consent not given
    again in the same request). 422 names the field."""
    body: UpdateMeIn = request.context.json
    db = database.session()
    user = accounts.update_profile(
        db, user=db.get(User, current_actor().user_id), full_name=body.full_name, locale=body.locale
    )
    consent.apply(
        user,
        phone=body.phone if "phone" in body.model_fields_set else consent.UNSET,
        opt_in=body.sms_opt_in,
        recorded_by=user.id,
        now=utcnow(),
    )
    db.flush()
    return UserOut.model_validate(user)


@bp.post("/users")
@access("admin")
@database.unit_of_work()
@spec.validate(json=CreateUserIn, resp=Response(HTTP_201=UserOut, HTTP_409=ErrorOut), tags=TAGS, security=SECURITY)
def create_user():
    """Create an account with any role (admins only). Without a `password` the new user is invited: emailed
    a link (valid 7 days, single use, in their `locale`) that sets it."""
    body: CreateUserIn = request.context.json
    db = database.session()
    user = accounts.create_user(
        db,
        email=str(body.email),
        password=body.password,
        full_name=body.full_name,
        role=body.role,
        phone=body.phone,
        locale=body.locale,
    )
    if body.password is None:
        resets.invite(db, user=user, secret=current_app.config["JWT_SECRET_KEY"], now=utcnow())
    return UserOut.model_validate(user), 201


@bp.get("/users")
@access(*STAFF)
@database.unit_of_work(reads_only=True)
@spec.validate(query=UserQuery, resp=Response(HTTP_200=UserList), tags=TAGS, security=SECURITY)
def list_users():
    """Find accounts by name or email (staff: e.g. the patient to book for)."""
    query: UserQuery = request.context.query
    found = accounts.search(database.session(), text=query.q, role=query.role, limit=query.limit)
    return UserList(items=[StaffUserOut.model_validate(u) for u in found])


@bp.patch("/users/<int:user_id>")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=UpdateUserIn,
    resp=Response(HTTP_200=AdminUserOut, HTTP_404=ErrorOut, HTTP_409=ErrorOut, HTTP_422=ErrorOut),
    tags=TAGS,
    security=SECURITY,
)
def update_user(user_id: int):
    """Rename an account, change its role, or (de)activate it (admins only). `active: false` signs the
    account out everywhere at once and keeps it from signing in; an admin cannot change their own role or
    deactivate themselves (409 `own_account`)."""
    body: UpdateUserIn = request.context.json
    user = accounts.update_user(
        database.session(),
        actor=current_actor(),
        user_id=user_id,
        now=utcnow(),
        changes=body.model_dump(exclude_unset=True) if body else {},
    )
    return AdminUserOut.model_validate(user)


def _password_change_key() -> str:
    return f"password-change:{current_actor().user_id}"


@bp.post("/me/password")
@access(SIGNED_IN)
@limiter.limit(auth_limit, key_func=_password_change_key, deduct_when=lambda response: response.status_code == 422)
@database.unit_of_work()
@spec.validate(
    json=ChangePasswordIn, resp=Response("HTTP_204", HTTP_422=ErrorOut, HTTP_429=ErrorOut), tags=TAGS, security=SECURITY
)
def change_password():
    """Change one's password, proving the current one: every other sign-in of the account ends at once
    (their refresh and access tokens); this one continues."""
    body: ChangePasswordIn = request.context.json
    accounts.change_password(
        database.session(),
        user_id=current_actor().user_id,
        now=utcnow(),
        current_password=body.current_password,
        new_password=body.new_password,
        keep_family=uuid.UUID(get_jwt()["fam"]),
    )
    return current_app.response_class(status=204)


@bp.post("/me/verify-email")
@access(SIGNED_IN)
@limiter.limit(auth_limit)
@database.unit_of_work()
@spec.validate(resp=Response("HTTP_202"), tags=TAGS, security=SECURITY)
def resend_verification():
    """Email the link that confirms one's address again (nothing is sent once it is confirmed)."""
    db = database.session()
    signup.request_verification(db, user=db.get(User, current_actor().user_id))
    return current_app.response_class(status=202)
