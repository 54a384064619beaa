"""Configuration fails fast in production; the contract's CLI commands behave as written."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import text

from clinic.db import make_engine, normalize_url
from clinic.settings import REQUIRED, ConfigError, Settings
from tests.conftest import TEST_DATABASE_URL
from tests.ops.conftest import flask, process_env, run, VENV_BIN

PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://db/clinic",
    "REDIS_URL": "redis://kv:6379",
    "JWT_SECRET_KEY": "s" * 48,
    "FRONTEND_ORIGIN": "https://app.example.com",
    "RESEND_API_KEY": "re_x",
    "EMAIL_FROM": "Clinic <c@example.com>",
}


@pytest.mark.parametrize("name", REQUIRED)
def test_production_names_each_missing_variable(name):
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env)


def test_production_is_the_default_environment():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("APP_ENV", "JWT_SECRET_KEY")}
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
        Settings.from_env(env)
    assert Settings.from_env(PRODUCTION).is_production


@pytest.mark.parametrize("raw, prepared", [(None, True), ("1", True), ("0", False), ("false", False)])
def test_prepared_statements_are_on_unless_turned_off_for_a_pooler(raw, prepared):
    env = dict(PRODUCTION, **({"DATABASE_PREPARED_STATEMENTS": raw} if raw is not None else {}))
    settings = Settings.from_env(env)
    assert settings.database_prepared_statements is prepared
    engine = make_engine(TEST_DATABASE_URL, prepared_statements=settings.database_prepared_statements)
    try:
        with engine.connect() as conn:  # psycopg prepares after 5 runs of a statement, or never (None)
            assert (conn.connection.driver_connection.prepare_threshold is not None) is prepared
    finally:
        engine.dispose()


def test_web_process_refuses_to_start_without_jwt_secret_in_production():
    env = process_env(**{**PRODUCTION, "DATABASE_URL": TEST_DATABASE_URL, "JWT_SECRET_KEY": None})
    result = flask("db", "current", env=env)
    assert result.returncode != 0
    assert "JWT_SECRET_KEY" in result.stdout + result.stderr


def test_worker_refuses_to_start_without_jwt_secret_in_production():
    env = process_env(**{**PRODUCTION, "DATABASE_URL": TEST_DATABASE_URL, "JWT_SECRET_KEY": None})
    result = run([str(VENV_BIN / "python"), "-c", "from workers.main import boot; boot()"], env)
    assert result.returncode != 0
    assert "missing required environment variable(s): JWT_SECRET_KEY" in result.stderr


def test_create_user_then_duplicate_exits_non_zero_with_a_clear_message(migrated_db):
    email = f"ops-cli-{uuid.uuid4().hex[:10]}@example.com"
    args = ("create-user", "--email", email, "--password", "Correct-Horse-9", "--name", "Ops Admin", "--role", "admin")
    env = process_env()
    try:
        first = flask(*args, env=env)
        assert first.returncode == 0, first.stderr
        assert email in first.stdout
        second = flask(*args, env=env)
        assert second.returncode != 0
        assert "already" in second.stderr.lower() and "Traceback" not in second.stderr
        third = flask(*args[:-1], "superuser", env=env)
        assert third.returncode != 0 and "superuser" in third.stderr
    finally:
        with psycopg.connect(TEST_DATABASE_URL) as conn:
            conn.execute("DELETE FROM users WHERE email = %s", (email,))


@pytest.fixture()
def empty_database():
    name = f"clinic_ops_empty_{uuid.uuid4().hex[:8]}"
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_db_upgrade_builds_an_empty_database_from_a_postgres_scheme_url(empty_database):
    """Heroku-style `postgres://` URLs (what some hosts hand out) work as well as `postgresql://`."""
    url = empty_database.replace("postgresql://", "postgres://", 1)
    result = flask("db", "upgrade", env=process_env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr[-2000:]
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    finally:
        engine.dispose()
    heads = run([str(VENV_BIN / "alembic"), "heads"], process_env(DATABASE_URL=empty_database))
    assert version in heads.stdout
    assert {"users", "clinics", "doctors", "appointments"} <= tables
    again = flask("db", "upgrade", env=process_env(DATABASE_URL=empty_database))
    assert again.returncode == 0, again.stderr[-2000:]


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://", "postgresql+psycopg2://"])
def test_every_url_form_reaches_the_database(scheme):
    url = TEST_DATABASE_URL.replace("postgresql://", scheme, 1)
    assert normalize_url(url).startswith("postgresql+psycopg://")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_every_subscribed_actor_is_declared_by_the_worker_entry_point():
    """workers/subscriptions.py names actors by string: each must exist once `workers.main:boot` has run."""
    script = (
        "from workers.main import boot; from workers.dispatch import missing_actors; "
        "print('missing:', missing_actors(boot()))"
    )
    result = run([str(VENV_BIN / "python"), "-c", script], process_env())
    assert result.returncode == 0, result.stderr
    assert "missing: []" in result.stdout
