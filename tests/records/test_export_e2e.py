"""The whole export path with the real processes: gunicorn web → outbox → `scheduler --once` relay →
dramatiq worker → document fetched over HTTP. Committed data; removed at the end."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import pool, text

from clinic.db import make_engine
from tests.conftest import PASSWORD, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.async_world import process_env, scheduler_once, wait_until
from tests.support.processes import ProcfileProcesses


@pytest.mark.e2e
def test_export_through_web_relay_and_worker(engine, redis_client, tmp_path):
    redis_client.flushdb()
    env = process_env(
        TEST_DATABASE_URL, TEST_REDIS_URL, "http://127.0.0.1:9", RATELIMIT_ENABLED="0", WEB_CONCURRENCY="1"
    )
    email = f"e2e-export-{uuid.uuid4().hex[:10]}@example.com"
    own = make_engine(TEST_DATABASE_URL, poolclass=pool.NullPool)
    user_id, export_id = None, None
    try:
        with ProcfileProcesses(["web", "worker"], env=env, tmp_dir=tmp_path) as system:
            status, body = system.call(
                "POST", "/api/auth/register", body={"email": email, "password": PASSWORD, "full_name": "Export E2E"}
            )
            assert status == 201, body
            user_id, token = body["user"]["id"], body["access_token"]
            status, requested = system.call("POST", "/api/me/export", token)
            assert status == 202 and requested["status"] == "pending"
            export_id = requested["id"]

            done = scheduler_once(env)
            assert done.returncode == 0, done.stderr[-2000:]

            def ready():
                status, body = system.call("GET", f"/api/me/export/{requested['id']}", token)
                return body if status == 200 and body["status"] == "ready" else None

            export = wait_until(ready, timeout=30, every=0.3)
            assert export, system.log("worker")[-3000:]
            document = export["document"]
            assert document["profile"] == {**document["profile"], "id": user_id, "email": email}
            assert document["record"]["versions"] == [] and document["appointments"] == []
            assert [row["action"] for row in document["audit"]] == ["export"]
    finally:
        if user_id is not None:
            with own.begin() as conn:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for statement in (
                    "DELETE FROM record_audit WHERE patient_id = :u",
                    "DELETE FROM data_exports WHERE user_id = :u",
                    "DELETE FROM refresh_tokens WHERE user_id = :u",
                    "DELETE FROM users WHERE id = :u",
                ):
                    conn.execute(text(statement), {"u": user_id})
                conn.execute(text("DELETE FROM outbox WHERE payload->>'export_id' = :e"), {"e": export_id})
        own.dispose()
