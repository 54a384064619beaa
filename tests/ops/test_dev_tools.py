"""The pieces bin/run is built from: embedded PostgreSQL and Redis, the dev mailbox, Procfile.dev."""

from __future__ import annotations

import json
import os
import threading
import uuid
from urllib import request as urlrequest

from datetime import datetime, timezone

import psycopg
import pytest
import redis
import resend
from sqlalchemy import text

from alembic import command

from clinic.db import make_engine
from clinic.notifications import imip
from clinic.notifications.content import Email
from clinic.notifications.mailer import SmtpMailer
from tests.support.processes import free_port
from web.cli import alembic_config
from scripts import dev_mailbox, dev_run, services
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture()
def mailbox(tmp_path):
    server = dev_mailbox.serve(0, tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield url, tmp_path
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, dict]:
    with urlrequest.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode(), dict(r.headers)


def test_mailbox_speaks_the_resend_sdk_and_honours_idempotency_keys(mailbox, monkeypatch):
    url, folder = mailbox
    monkeypatch.setattr(resend, "api_url", url)
    monkeypatch.setattr(resend, "api_key", "re_dev_mailbox")
    params = {
        "from": "c@example.com",
        "to": ["ana@example.com"],
        "subject": "<script>alert(1)</script> Cita",
        "html": "<p>Hola</p>",
        "attachments": [{"filename": "invite.ics", "content": list(b"BEGIN:VCALENDAR")}],
    }
    first = resend.Emails.send(params, {"idempotency_key": "booking-1"})
    again = resend.Emails.send(params, {"idempotency_key": "booking-1"})
    assert first["id"] == again["id"]
    batch = resend.Batch.send([{**params, "to": ["b@example.com"]}, {**params, "to": ["c@example.com"]}])
    assert len(batch["data"]) == 2
    assert len(list(folder.glob("*-*.json"))) == 3

    status, page, headers = get(url + "/")
    assert status == 200 and "ana@example.com" in page and "invite.ics" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    status, body, headers = get(f"{url}/emails/{first['id']}")
    assert "<p>Hola</p>" in body and "BEGIN:VCALENDAR" in body
    assert headers["Content-Security-Policy"].startswith("sandbox")
    assert len(json.loads(get(url + "/api/emails")[1])) == 3


def test_mailbox_keeps_keys_across_restarts(tmp_path):
    box = dev_mailbox.Mailbox(tmp_path)
    ids = box.store([{"to": "a@example.com"}], "k1")
    assert dev_mailbox.Mailbox(tmp_path).store([{"to": "a@example.com"}], "k1") == ids
    assert len(box.emails()) == 1


def test_embedded_redis_starts_on_loopback_and_stops(tmp_path):
    embedded = services.Embedded()
    url = services.start_redis(tmp_path, embedded)
    try:
        client = redis.Redis.from_url(url)
        assert client.ping() and client.config_get("save")["save"] == ""
        port = int(url.rsplit(":", 1)[1].split("/")[0])
    finally:
        embedded.stop()
    assert not services.port_open("127.0.0.1", port)


def test_embedded_postgres_takes_the_migrations_and_stops(tmp_path):
    """pgserver listens on a Unix socket only (`postgresql://postgres:@/db?host=/dir`): the app must cope."""
    embedded = services.Embedded()
    datadir = tmp_path / "pg"
    url = services.start_postgres(datadir, embedded, database="clinic_embedded")
    try:
        command.upgrade(alembic_config(url), "head")
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
            assert conn.execute(text("SELECT current_database()")).scalar_one() == "clinic_embedded"
            assert conn.execute(text("SHOW server_version_num")).scalar_one() >= "160000"
        engine.dispose()
        pid = int((datadir / "postmaster.pid").read_text().split()[0])
    finally:
        embedded.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_ensure_database_creates_a_missing_one():
    name = f"clinic_ops_run_{uuid.uuid4().hex[:8]}"
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    try:
        services.ensure_database(url)
        services.ensure_database(url)  # idempotent
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == name
    finally:
        with psycopg.connect(TEST_DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_procfile_dev_runs_the_procfile_with_web_first_plus_the_mailbox(tmp_path, monkeypatch):
    monkeypatch.setattr(dev_run, "VAR", tmp_path)
    lines = dev_run.procfile_dev(with_mailbox=True).read_text().splitlines()
    procfile = (services.ROOT / "Procfile").read_text().split("\n")
    assert lines[0].startswith("web: ")  # honcho hands $PORT to the first process
    assert set(lines[:-1]) == {ln for ln in procfile if ln.strip()}
    assert lines[-1].startswith("mailbox: ") and "$MAILBOX_PORT" in lines[-1]
    assert "--smtp-port $MAILBOX_SMTP_PORT" in lines[-1]  # invitations arrive over SMTP (SMTP_URL)
    assert dev_run.procfile_dev(with_mailbox=False).read_text().count("mailbox") == 0


def test_resolve_uses_given_urls_without_starting_anything():
    embedded = services.Embedded()
    out = services.resolve({"DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": "redis://127.0.0.1:6379/10"}, embedded)
    assert out == {"DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": "redis://127.0.0.1:6379/10"}
    assert embedded.stops == []


def test_mailbox_receives_invitations_over_smtp_and_shows_their_parts(tmp_path):
    """What the workers send to SMTP_URL under `bin/run`: stored once per Resend-Idempotency-Key, listed
    with the others, and shown part by part (the calendar decoded)."""
    server = dev_mailbox.serve(0, tmp_path / "box")  # the same Mailbox behind both servers, as in main()
    smtp = dev_mailbox.serve_smtp(free_port(), server.box)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        email = Email(to="ana@example.com", subject="Cita confirmada: <b>lunes</b>", text="Hola", html="<p>Hola</p>")
        calendar = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nX-NAME:Cl\xc3\xadnica\r\nEND:VCALENDAR\r\n"
        msg = imip.message(
            email,
            sender="Clínica <citas@demo.clinic>",
            calendar=calendar,
            method="REQUEST",
            key="confirmation:1:e1",
            now=datetime.now(timezone.utc),
        )
        mailer = SmtpMailer(f"smtp://dev:dev@127.0.0.1:{smtp.port}", limiter=None, timeout=5)
        for _ in range(2):  # a retry with the same key stores nothing new
            mailer.send(imip.envelope(msg, sender="Clínica <citas@demo.clinic>"), key="confirmation:1:e1")
        base = f"http://127.0.0.1:{server.server_address[1]}"
        [stored] = json.loads(get(base + "/api/emails")[1])
        assert stored["via"] == "smtp" and stored["to"] == ["ana@example.com"]
        assert [p["content_type"] for p in stored["parts"]] == [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar",
            "application/ics",
        ]
        assert (tmp_path / "box" / f"{stored['id']}.eml").read_bytes().startswith(b"From:")
        status, page, _ = get(base + "/")
        assert "text/calendar" in page and "invite.ics" in page and "&lt;b&gt;lunes" in page
        status, body, headers = get(f"{base}/emails/{stored['id']}")
        assert "method=REQUEST" in body and "X-NAME:Clínica" in body and "<p>Hola</p>" in body
        assert headers["Content-Security-Policy"].startswith("sandbox")
    finally:
        smtp.stop()
        server.shutdown()
        server.server_close()
