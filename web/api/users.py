"""The signed-in user, and accounts created by admins."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, request
from pydantic import Field
from spectree import Response

from clinic.identity import service as accounts
from clinic.identity.models import User
from web import database
from web.access import SIGNED_IN, STAFF, access, current_actor
from web.extensions import spec
from web.schemas.common import ErrorOut, Line, Strict
from web.schemas.identity import CreateUserIn, UpdateMeIn, UserOut

bp = Blueprint("users", __name__, url_prefix="/api")
TAGS = ["users"]
SECURITY = {"bearer": []}


class UserQuery(Strict):
    q: Line | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, pattern="^(patient|doctor|receptionist|admin)$")
    limit: int = Field(default=50, ge=1, le=200)


class StaffUserOut(UserOut):
    no_show_flagged_at: datetime | None = None


class UserList(Strict):
    items: list[StaffUserOut]


@bp.get("/me")
@access(SIGNED_IN)
@database.read_only
@spec.validate(resp=Response(HTTP_200=UserOut), tags=TAGS, security=SECURITY)
def me():
    """The signed-in user."""
    user = database.session().get(User, current_actor().user_id)
    return UserOut.model_validate(user)


@bp.patch("/me")
@access(SIGNED_IN)
@spec.validate(json=UpdateMeIn, resp=Response(HTTP_200=UserOut, HTTP_422=ErrorOut), tags=TAGS, security=SECURITY)
def update_me():
    """Change one's own name, phone or language."""
    body: UpdateMeIn = request.context.json
    db = database.session()
    user = accounts.update_profile(db, user=db.get(User, current_actor().user_id), full_name=body.full_name,
                                   phone=body.phone, locale=body.locale)
    return UserOut.model_validate(user)


@bp.post("/users")
@access("admin")
@spec.validate(json=CreateUserIn, resp=Response(HTTP_201=UserOut, HTTP_409=ErrorOut), tags=TAGS, security=SECURITY)
def create_user():
    """Create an account with any role (admins only)."""
    body: CreateUserIn = request.context.json
    user = accounts.create_user(database.session(), email=str(body.email), password=body.password,
                                full_name=body.full_name, role=body.role, phone=body.phone, locale=body.locale)
    return UserOut.model_validate(user), 201


@bp.get("/users")
@access(*STAFF)
@database.read_only
@spec.validate(query=UserQuery, resp=Response(HTTP_200=UserList), tags=TAGS, security=SECURITY)
def list_users():
    """Find accounts by name or email (staff: e.g. the patient to book for)."""
    query: UserQuery = request.context.query
    found = accounts.search(database.session(), text=query.q, role=query.role, limit=query.limit)
    return UserList(items=[StaffUserOut.model_validate(u) for u in found])
