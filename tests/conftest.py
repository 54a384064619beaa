"""Shared fixtures: a fresh database per run (migrated with Alembic), one rolled-back transaction per test.

The app's units of work run on the test's connection in production's modes (`joined_factories`): a view's
transaction is a SAVEPOINT, read-only and one-statement units run their statements straight on it.

TEST_DATABASE_URL and TEST_REDIS_URL choose the servers; each test run owns its database and Redis db.
"""

from __future__ import annotations

import os
import uuid

os.environ.setdefault("BCRYPT_ROUNDS", "4")  # before clinic.identity.passwords is imported

import psycopg
import pytest
from psycopg.pq import TransactionStatus
import redis
from alembic import command
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import AUTOCOMMIT_CONNECTION, make_engine
from clinic.identity import service as accounts
from clinic.settings import Settings
from web.cli import alembic_config

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/clinic_test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "Correct-Horse-9"


def make_settings(**overrides) -> Settings:
    env = {
        "APP_ENV": "test",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "JWT_SECRET_KEY": "test-secret-" + "x" * 32,
        "FRONTEND_ORIGIN": "http://localhost:5173",
        "RESEND_API_KEY": "re_test",
        "EMAIL_FROM": "Clínica Test <citas@example.com>",
        "RATELIMIT_ENABLED": "0",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return Settings.from_env(env)


def _recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def engine():
    _recreate_database(TEST_DATABASE_URL)
    command.upgrade(alembic_config(TEST_DATABASE_URL), "head")
    engine = make_engine(TEST_DATABASE_URL)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_client():
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture()
def connection(engine):
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture()
def db(connection) -> Session:
    """A session for arranging and checking data; it shares the test's transaction with the app."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture(scope="session")
def base_app(engine, redis_client):
    from web import create_app

    app = create_app({"SETTINGS": make_settings(), "TESTING": True, "ACCESS_LOG": False})
    app.config["SERVER_ERRORS"] = []

    @app.after_request
    def record_server_errors(response):
        if response.status_code >= 500:
            app.config["SERVER_ERRORS"].append((response.status_code, response.get_data(as_text=True)[:300]))
        return response

    return app


class StatementSession(Session):
    """What production's autocommit session (web.database.HeldSessions) is, on the test's connection.

    Statements run straight on the connection, as production's do on its autocommit one (clinic.db's
    AUTOCOMMIT_CONNECTION path: no transaction of the session's, nothing flushed first), so that reads see the
    test's uncommitted rows and one-statement writes land in its transaction. Where PostgreSQL would make each
    statement a transaction of its own, the session's statements share a SAVEPOINT, released when it closes,
    or rolled back if a statement failed (which left nothing behind, as in production)."""

    def __init__(self, connection):
        self._statements = connection.begin_nested()
        super().__init__(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        self.info[AUTOCOMMIT_CONNECTION] = connection

    def close(self) -> None:
        super().close()
        if self._statements.is_active:
            status = self.info[AUTOCOMMIT_CONNECTION].connection.driver_connection.info.transaction_status
            (self._statements.rollback if status == TransactionStatus.INERROR else self._statements.commit)()


def joined_factories(connection) -> dict:
    """The app's two session factories (web.database), on the test's connection: the transactional one's
    sessions commit and roll back a SAVEPOINT of the test's transaction; the autocommit one's are StatementSessions."""
    return {
        "db_sessionmaker": sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        "db_autocommit_sessionmaker": lambda: StatementSession(connection),
    }


@pytest.fixture()
def app(base_app, connection, request):
    """The app, with every request's unit of work on the test's connection, in production's modes."""
    base_app.extensions.update(joined_factories(connection))
    base_app.config["SERVER_ERRORS"].clear()
    # The Limiter is one shared object and `init_app` of any other app (a rate-limit test) flips it:
    # every test starts with the session app's own setting.
    from web.extensions import limiter

    limiter.enabled = bool(base_app.config.get("RATELIMIT_ENABLED"))
    yield base_app
    if not request.node.get_closest_marker("allow_5xx"):
        assert base_app.config["SERVER_ERRORS"] == [], "a request answered 5xx"


@pytest.fixture()
def client(app):
    return app.test_client()


class Api:
    """A small client that speaks the contract: JSON in and out, bearer tokens."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token=None, json=None, **kw):
        return self.call("POST", path, token, json, **kw)

    def put(self, path, token=None, json=None, **kw):
        return self.call("PUT", path, token, json, **kw)

    def patch(self, path, token=None, json=None, **kw):
        return self.call("PATCH", path, token, json, **kw)

    def login(self, email: str, password: str = PASSWORD) -> dict:
        response = self.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture()
def api(client) -> Api:
    return Api(client)


@pytest.fixture()
def make_user(db):
    """Create a user of any role directly through the domain; returns the User."""

    def make(role: str = "patient", email: str | None = None, full_name: str | None = None, locale: str = "es"):
        email = email or f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        user = accounts.create_user(
            db, email=email, password=PASSWORD, full_name=full_name or f"Test {role}", role=role, locale=locale
        )
        db.flush()
        return user

    return make


@pytest.fixture()
def token_for(api):
    """Sign a user in through the real endpoint and return the access token."""

    def token(user) -> str:
        return api.login(user.email)["access_token"]

    return token
