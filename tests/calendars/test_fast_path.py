"""The feed fast path in front of Flask answers exactly like the Flask view, and falls through when it can't.

It reads committed rows on its own connection, so this test commits through its own engine and cleans up.
"""

from __future__ import annotations

import gzip
import logging
import uuid

import pytest
from sqlalchemy import pool, text
from sqlalchemy.exc import DBAPIError
from werkzeug.test import Client

from clinic.calendars import feeds
from clinic.db import ThreadConnections, make_engine, make_session_factory
from clinic.unit_of_work import UnitOfWork
from clinic.identity import service as accounts
from tests.calendars import strict
from tests.conftest import PASSWORD, TEST_DATABASE_URL, make_settings
from web.feed_fast_path import FeedFastPath

SETTINGS = make_settings()


@pytest.fixture()
def committed_feed(engine):
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    with UnitOfWork(sessions) as uow:
        s = uow.session
        user = accounts.create_user(
            s,
            email=f"fast-{uuid.uuid4().hex[:8]}@example.com",
            password=PASSWORD,
            full_name="Paciente Rápido",
            role="patient",
        )
        token = feeds.feed_token(s, user_id=user.id, secret=SETTINGS.calendar_token_secret)
        feeds.rebuild(s, user_id=user.id, horizon_days=30)
        user_id = user.id
    yield sessions, user_id, token
    with own.begin() as conn:
        conn.execute(text("DELETE FROM outbox WHERE payload->>'user_id' = :u"), {"u": str(user_id)})
        conn.execute(text("DELETE FROM calendar_feeds WHERE user_id = :u"), {"u": user_id})
        conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})
    own.dispose()


@pytest.fixture(scope="module")
def real_app(engine, redis_client):
    from web import create_app

    return create_app({"SETTINGS": SETTINGS, "TESTING": True})


@pytest.fixture()
def answered_by(caplog):
    """Who answered each request: "fast" (the middleware) or "flask", from the access lines."""
    caplog.set_level(logging.INFO, logger="web.access")

    def last() -> str:
        record = [r for r in caplog.records if r.name == "web.access"][-1]
        return "fast" if getattr(record, "fast_path", False) else "flask"

    return last


def test_fast_path_answers_like_the_view(real_app, committed_feed, answered_by):
    sessions, user_id, token = committed_feed
    assert isinstance(real_app.wsgi_app, FeedFastPath)
    fast = real_app.test_client()
    slow = Client(real_app.wsgi_app.app_wsgi)  # the Flask stack without the fast path
    path = f"/api/calendar/{token}.ics"
    for headers in ({}, {"Accept-Encoding": "gzip, deflate"}):
        a = fast.get(path, headers={**headers, "X-Request-ID": "probe-1"})
        assert answered_by() == "fast"
        b = slow.get(path, headers=headers)
        assert answered_by() == "flask"
        assert a.status_code == b.status_code == 200
        assert a.headers["X-Request-ID"] == "probe-1" and b.headers["X-Request-ID"]
        assert a.data == b.data
        for name in (
            "ETag",
            "Last-Modified",
            "Content-Type",
            "Cache-Control",
            "Vary",
            "Content-Encoding",
            "X-Content-Type-Options",
            "Content-Security-Policy",
            "Strict-Transport-Security",
            "Referrer-Policy",
            "X-Frame-Options",
            "Permissions-Policy",
        ):
            assert a.headers.get(name) == b.headers.get(name), name
    plain = fast.get(path)
    assert strict.parse(plain.data).method == "PUBLISH"
    assert gzip.decompress(fast.get(path, headers={"Accept-Encoding": "gzip"}).data) == plain.data
    etag, last_modified = plain.headers["ETag"], plain.headers["Last-Modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"a", {etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
    ):
        answer = fast.get(path, headers=headers)
        assert answer.status_code == 304 and answer.data == b"" and answer.headers["ETag"] == etag, headers
        assert answered_by() == "fast"
    assert fast.get(path, headers={"If-None-Match": '"old"', "If-Modified-Since": last_modified}).status_code == 200
    zipped = fast.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["ETag"] == etag[:-1] + '-gz"'
    again = {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    assert fast.get(path, headers=again).status_code == 304
    head = fast.head(path)
    assert head.status_code == 200 and answered_by() == "flask"  # HEAD is left to Flask

    with UnitOfWork(sessions) as uow:
        s = uow.session
        new_token = feeds.rotate(s, user_id=user_id, secret=SETTINGS.calendar_token_secret)
    gone = fast.get(path)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    assert fast.get(f"/api/calendar/{new_token}.ics").status_code == 200


def test_database_trouble_falls_through_to_flask():
    def flask_stand_in(environ, start_response):
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"slow path"]

    path = FeedFastPath(
        flask_stand_in, database_url="postgresql://postgres@127.0.0.1:1/nowhere", limit="600 per minute", key_secret="k"
    )
    client = Client(path)
    assert client.get("/api/calendar/" + "a" * 43 + ".ics").status_code == 503
    assert client.get("/api/calendar/" + "a" * 43 + ".ics").data == b"slow path"  # within the retry pause
    assert client.get("/api/health").data == b"slow path"  # other paths are never touched


def test_the_fast_path_keeps_the_per_client_rate_limit(committed_feed, redis_client):
    """The default limit per client address holds on the fast path too: a JSON 429 with Retry-After."""
    _, _, token = committed_feed
    fast = FeedFastPath(
        lambda environ, start_response: None, database_url=TEST_DATABASE_URL, limit="3 per minute", key_secret="k"
    )
    path = f"/api/calendar/{token}.ics"
    from_a, from_b = Client(fast), Client(fast)
    assert [from_a.get(path, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for _ in range(3)] == [200] * 3
    refused = from_a.get(path, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Content-Security-Policy"] and refused.headers["X-Request-ID"]
    assert from_b.get(path, environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200  # another client


def test_a_connection_the_server_dropped_fails_once_then_is_replaced():
    """The fast path's per-thread connection (clinic.db.ThreadConnections): a dead one raises SQLAlchemy's
    error (the request falls through to Flask) and the next use opens a new one."""
    connections = ThreadConnections(TEST_DATABASE_URL)
    [pid] = connections.first_row("SELECT pg_backend_pid()", {})
    assert connections.first_row("SELECT pg_backend_pid()", {}) == (pid,)  # kept between uses
    other = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()
    with pytest.raises(DBAPIError):
        connections.first_row("SELECT 1", {})
    [new_pid] = connections.first_row("SELECT pg_backend_pid()", {})
    assert new_pid != pid
