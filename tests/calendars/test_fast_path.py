"""The feed fast path in front of Flask answers exactly like the Flask view, and falls through when it can't.

It reads committed rows on its own connection, so this test commits through its own engine and cleans up.
"""
from __future__ import annotations

import gzip
import uuid

import pytest
from sqlalchemy import pool, text
from werkzeug.test import Client

from clinic.calendars import feeds
from clinic.db import make_engine, make_session_factory, transaction
from clinic.identity import service as accounts
from tests.calendars import strict
from tests.conftest import PASSWORD, TEST_DATABASE_URL, make_settings
from web.api.calendars import FeedFastPath

SETTINGS = make_settings()


@pytest.fixture()
def committed_feed(engine):
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    sessions = make_session_factory(own)
    with transaction(sessions) as s:
        user = accounts.create_user(s, email=f"fast-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
                                    full_name="Paciente Rápido", role="patient")
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
    return create_app({"SETTINGS": SETTINGS, "TESTING": True, "ACCESS_LOG": False})


def test_fast_path_answers_like_the_view(real_app, committed_feed):
    sessions, user_id, token = committed_feed
    assert isinstance(real_app.wsgi_app, FeedFastPath)
    fast = real_app.test_client()
    slow = Client(real_app.wsgi_app.app_wsgi)  # the Flask stack without the fast path
    path = f"/api/calendar/{token}.ics"
    for headers in ({}, {"Accept-Encoding": "gzip, deflate"}):
        a, b = fast.get(path, headers=headers), slow.get(path, headers=headers)
        assert a.status_code == b.status_code == 200
        assert "X-Request-ID" not in a.headers and "X-Request-ID" in b.headers  # who answered
        assert a.data == b.data
        for name in ("ETag", "Last-Modified", "Content-Type", "Cache-Control", "Vary", "Content-Encoding",
                     "X-Content-Type-Options", "Content-Security-Policy"):
            assert a.headers.get(name) == b.headers.get(name), name
    plain = fast.get(path)
    assert strict.parse(plain.data).method == "PUBLISH"
    assert gzip.decompress(fast.get(path, headers={"Accept-Encoding": "gzip"}).data) == plain.data
    etag, last_modified = plain.headers["ETag"], plain.headers["Last-Modified"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"a", {etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": last_modified}):
        answer = fast.get(path, headers=headers)
        assert answer.status_code == 304 and answer.data == b"" and answer.headers["ETag"] == etag, headers
        assert "X-Request-ID" not in answer.headers
    assert fast.get(path, headers={"If-None-Match": '"old"', "If-Modified-Since": last_modified}).status_code == 200
    zipped = fast.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["ETag"] == etag[:-1] + '-gz"'
    again = {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    assert fast.get(path, headers=again).status_code == 304
    head = fast.head(path)
    assert head.status_code == 200 and "X-Request-ID" in head.headers  # HEAD is left to Flask

    with transaction(sessions) as s:
        new_token = feeds.rotate(s, user_id=user_id, secret=SETTINGS.calendar_token_secret)
    gone = fast.get(path)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    assert fast.get(f"/api/calendar/{new_token}.ics").status_code == 200


def test_database_trouble_falls_through_to_flask():
    def flask_stand_in(environ, start_response):
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"slow path"]

    path = FeedFastPath(flask_stand_in, "postgresql://postgres@127.0.0.1:1/nowhere")
    client = Client(path)
    assert client.get("/api/calendar/" + "a" * 43 + ".ics").status_code == 503
    assert client.get("/api/calendar/" + "a" * 43 + ".ics").data == b"slow path"  # within the retry pause
    assert client.get("/api/health").data == b"slow path"  # other paths are never touched
