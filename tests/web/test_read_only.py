"""Read-only views run without a transaction; everything else keeps one (web.database's units of work)."""

from __future__ import annotations

import ast
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete

from clinic.identity.models import User
from tests.conftest import PASSWORD, make_settings

ROOT = Path(__file__).resolve().parents[2]


def _views() -> list[tuple[str, str, list[str], bool]]:
    """Every API view as declared in web/api: (module, name, its decorators' source, whether the view or a
    helper of its module reaches `database.session()`)."""
    views = []
    for path in sorted((ROOT / "web" / "api").glob("*.py")):
        tree = ast.parse(path.read_text())
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}

        for node in functions.values():
            decorators = [ast.unparse(d) for d in node.decorator_list]
            if any(d.startswith("bp.") for d in decorators):
                views.append((path.stem, node.name, decorators, _reaches(node, functions, {node.name})))
    return views


def _reaches(node, functions: dict, seen: set) -> bool:
    """Whether a function, or a function of its module it calls, uses `database.session`."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and ast.unparse(inner) == "database.session":
            return True
        if isinstance(inner, ast.Name) and inner.id in functions and inner.id not in seen:
            if _reaches(functions[inner.id], functions, seen | {inner.id}):
                return True
    return False


def test_only_get_views_are_declared_read_only():
    declared = [
        (module, name, decorators)
        for module, name, decorators, _ in _views()
        if "database.unit_of_work(reads_only=True)" in decorators
    ]
    assert len(declared) > 10, "the hot read paths are declared"
    assert all(decorators[0].startswith("bp.get(") for _, _, decorators in declared), declared


def test_every_view_that_reaches_the_database_declares_its_unit_of_work():
    """Outside a view's unit the session is a read-only one (for the account check): a view that forgot
    its unit would write with each statement committed by itself."""
    missing = [
        (module, name)
        for module, name, decorators, reaches in _views()
        if reaches and not any(d.startswith("database.unit_of_work(") for d in decorators)
    ]
    assert missing == []


def test_read_only_views_use_an_autocommit_session_and_writes_a_transaction(engine, redis_client):
    from web import create_app

    app = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False})
    seen: list[bool] = []  # per session the request's units opened: is its connection autocommit?

    def recording(factory):
        def make():
            session = factory()
            seen.append(session.bind.connection.driver_connection.autocommit)
            return session

        return make

    for name in ("db_sessionmaker", "db_autocommit_sessionmaker"):
        app.extensions[name] = recording(app.extensions[name])
    client = app.test_client()
    email = f"ro-{uuid.uuid4().hex[:8]}@example.com"
    try:
        r = client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": "R O"})
        assert r.status_code == 201 and seen == [False]  # a write: BEGIN … COMMIT
        token = r.get_json()["access_token"]
        seen.clear()
        r = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.get_json()["email"] == email
        assert seen == [True]  # a read, with its token check: one session, no transaction round trips
        seen.clear()
        # A signed-in write: the token check reads on the autocommit connection, the view writes in a transaction.
        r = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}, json={})
        assert r.status_code == 204 and seen == [True, False]
        assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email == email))


def test_statements_run_on_the_driver_fail_as_sqlalchemy_errors(db):
    """The hot-path helper keeps SQLAlchemy's error classes, which the app maps to its JSON errors."""
    from sqlalchemy.exc import DataError

    from clinic.db import first_row

    assert first_row(db, "SELECT %(n)s::int + 1", {"n": 41}) == (42,)
    with pytest.raises(DataError):
        first_row(db, "SELECT 1 / %(zero)s::int", {"zero": 0})


def test_a_statement_that_opens_a_transaction_commits_or_fails_like_any_other(engine):
    """On an idle connection the helper's statement opens the session's transaction, as `session.execute` would."""
    from sqlalchemy.exc import DataError
    from sqlalchemy.orm import Session

    from clinic.db import first_row

    with Session(engine) as session:
        tx = first_row(session, "SELECT txid_current()", {})[0]
        assert first_row(session, "SELECT txid_current()", {})[0] == tx  # same transaction
        session.rollback()
        with pytest.raises(DataError):
            first_row(session, "SELECT 1 / %(zero)s::int", {"zero": 0})
        session.rollback()
        assert first_row(session, "SELECT 1", {}) == (1,)


def test_the_platform_helpers_run_one_placeholder_style_on_the_sessions_transaction(db):
    """`%(name)s` placeholders beside casts and a literal `%%`; named rows; pending ORM changes are flushed
    first, as `session.execute` would; the count of changed rows."""
    from clinic.db import execute, fetch_all, fetch_one, fetch_value
    from clinic.identity.models import User

    row = fetch_one(
        db, "SELECT %(n)s::int AS n, '50%%' AS share, CAST(%(when)s AS date) AS day", {"n": 7, "when": "2027-03-28"}
    )
    assert (row.n, row.share, str(row.day)) == (7, "50%", "2027-03-28") and row[0] == 7
    assert fetch_one(db, "SELECT 1 WHERE false") is None
    assert [r.g for r in fetch_all(db, "SELECT generate_series(1, %(k)s) AS g", {"k": 3})] == [1, 2, 3]
    db.add(User(email="platform@example.com", password_hash="x", full_name="Pla Tform", role="patient"))
    assert fetch_value(db, "SELECT count(*) FROM users WHERE email = %(e)s", {"e": "platform@example.com"}) == 1
    assert execute(db, "UPDATE users SET full_name = 'P' WHERE email = %(e)s", {"e": "platform@example.com"}) == 1


@pytest.mark.allow_5xx
def test_reads_recover_when_their_held_connection_dies(engine, redis_client):
    """Reads keep one autocommit connection per thread; one the server closed while idle (a restart, a
    terminated backend) is replaced before the next request uses it: that request is served, not a 503."""
    from sqlalchemy import text

    from web import create_app

    app = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False})
    client = app.test_client()
    email = f"held-{uuid.uuid4().hex[:8]}@example.com"
    try:
        token = client.post(
            "/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": "H C"}
        ).get_json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/me", headers=auth).status_code == 200
        held = app.extensions["db_autocommit_sessionmaker"].local.conn
        pid = held.connection.driver_connection.info.backend_pid
        assert client.get("/api/me", headers=auth).status_code == 200
        assert app.extensions["db_autocommit_sessionmaker"].local.conn is held  # no pool round trip per read
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(50):  # until the backend has gone (and closed its socket)
                gone = admin.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
                if gone.first() is None:
                    break
                time.sleep(0.05)
        assert client.get("/api/me", headers=auth).status_code == 200
        assert app.extensions["db_autocommit_sessionmaker"].local.conn is not held
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email == email))


def test_a_held_connection_left_inside_a_transaction_is_rolled_back_before_reuse(engine, redis_client):
    from sqlalchemy import text

    from web import create_app

    app = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False})
    sessions = app.extensions["db_sessionmaker"]
    abandoned = sessions()
    abandoned.execute(text("CREATE TEMP TABLE held_probe (x int) ON COMMIT DROP"))  # a request that died mid-way
    held = abandoned.connection().connection.driver_connection
    fresh = sessions()
    assert fresh.connection().connection.driver_connection is held  # the same held connection
    assert fresh.scalar(text("SELECT to_regclass('pg_temp.held_probe') IS NULL")) is True  # its work was undone
    fresh.commit()
    fresh.close()
