"""Invitation emails as iMIP messages over SMTP, sent by the exactly-once sender to a real SMTP server on
loopback (aiosmtpd) and read back with the standard library's `email` parser."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from clinic.db import make_session_factory
from clinic.notifications import service as notifications
from clinic.notifications.mailer import Mailer, SmtpMailer, TransientSendError
from clinic.notifications.ratelimit import ProviderRateLimiter
from clinic.notifications.render import Renderer
from clinic.settings import ConfigError, Settings
from tests.calendars import strict
from tests.conftest import make_settings
from tests.support.fake_smtp import FakeSMTP, attachment, calendar_part, parts, text_body

MIME_TREE = ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar", "application/ics"]


class Crash(Exception):
    pass


@pytest.fixture()
def smtp():
    with FakeSMTP() as server:
        yield server


@pytest.fixture()
def make_sender(engine, redis_client, smtp):
    def make(checkpoint=notifications._no_checkpoint, url: str | None = None, **settings):
        limiter = ProviderRateLimiter(redis_client, per_second=50, key=f"test:{uuid.uuid4().hex}")
        settings = make_settings(PUBLIC_URL="https://clinic.example", SMTP_URL=url or smtp.url, **settings)
        mailer = SmtpMailer(settings.smtp_url, limiter=limiter, checkpoint=checkpoint, timeout=5)
        return notifications.Sender(
            make_session_factory(engine),
            Mailer(api_key="re_test", limiter=limiter),
            Renderer(settings),
            checkpoint=checkpoint,
            smtp=mailer,
        )

    return make


@pytest.fixture()
def booked(world):
    clinic = world.clinic("Europe/Madrid")
    service = world.service()
    doctor = world.doctor(clinic, service)
    patient = world.user(locale="en", name="Ana Pérez")
    # 00:00 UTC on 31 Oct 2027 is the first 02:00 of Madrid's repeated hour (CEST).
    appt = world.appointment(doctor, patient, service, datetime(2027, 10, 31, 0, 0, tzinfo=timezone.utc))
    return {"appt": appt, "patient": patient}


def _delivery(world, booked, kind="confirmation", event=1) -> int:
    with world.engine.begin() as conn, Session(bind=conn) as session:
        return notifications.ensure(
            session, key=f"{kind}:{booked['appt']}:e{event}", kind=kind, appointment_id=booked["appt"]
        )


def _status(world, delivery_id):
    return world.scalar("SELECT status FROM deliveries WHERE id = :i", i=delivery_id)


def test_an_invitation_is_one_imip_message(world, booked, smtp, make_sender):
    delivery = _delivery(world, booked)
    assert make_sender().deliver([delivery], batch=False) == 1
    [sent] = smtp.to(booked["patient"]["email"])
    msg = email.message_from_bytes(sent["raw"], policy=email.policy.default)

    tree = parts(msg)
    assert [ctype for ctype, _, _ in tree] == MIME_TREE
    calendar_params, ics_filename = tree[4][1], tree[5][2]
    assert calendar_params["charset"].upper() == "UTF-8" and calendar_params["method"] == "REQUEST"
    assert ics_filename == "invite.ics" and tree[5][1].get("name") == "invite.ics"
    assert msg.get_all("Resend-Idempotency-Key") == [f"confirmation:{booked['appt']}:e1"]
    assert msg["From"].addresses[0].addr_spec == "citas@example.com" and msg["Message-ID"]
    assert sent["rcpt"] == [booked["patient"]["email"]] and sent["mail_from"] == "citas@example.com"

    method, body = calendar_part(msg)
    assert attachment(msg) == body  # the same calendar twice: as the iMIP part and as a file
    cal = strict.parse(body)
    assert cal.method == method == "REQUEST"
    (attendee,) = cal.events[0].attendees
    assert attendee.status == "ACCEPTED" and attendee.rsvp is False
    # The repeated hour: the email names which 02:00; the invite writes the instant in UTC.
    assert "Sunday 31 October 2027, 02:00 CEST (Europe/Madrid)" in msg["Subject"]
    assert strict.prop(body, "DTSTART")[-1] == "DTSTART:20271031T000000Z"  # (the others: VTIMEZONE onsets)
    text = text_body(msg)
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in text
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in text
    assert "does not cancel the appointment" in text
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Add to Google Calendar</a>" in html and "Add to Outlook.com</a>" in html
    assert _status(world, delivery) == "sent"


def test_a_cancellation_carries_method_cancel(world, booked, smtp, make_sender):
    world.sql("UPDATE appointments SET status = 'cancelled', sequence = 1 WHERE id = :a", a=booked["appt"])
    assert make_sender().deliver([_delivery(world, booked, "cancelled")], batch=False) == 1
    [sent] = smtp.to(booked["patient"]["email"])
    method, body = calendar_part(sent["msg"])
    cal = strict.parse(body)
    assert method == cal.method == "CANCEL" and cal.events[0].sequence == 1
    assert [ctype for ctype, _, _ in parts(sent["msg"])] == MIME_TREE
    assert "Google Calendar" not in text_body(sent["msg"])  # links only in the confirmation


def test_a_confirmation_for_an_appointment_cancelled_since_is_skipped(world, booked, smtp, make_sender):
    world.sql("UPDATE appointments SET status = 'cancelled' WHERE id = :a", a=booked["appt"])
    delivery = _delivery(world, booked)
    assert make_sender().deliver([delivery], batch=False) == 0
    assert _status(world, delivery) == "skipped" and smtp.count() == 0


@pytest.mark.parametrize("point", ["during_send", "after_send"])
def test_a_crash_mid_send_resends_the_same_message_once(point, world, booked, smtp, make_sender):
    delivery = _delivery(world, booked)

    def crash(at):
        if at == point:
            raise Crash()

    with pytest.raises(Crash):
        make_sender(crash).deliver([delivery], batch=False)
    assert _status(world, delivery) == "sending"
    assert smtp.count() == (1 if point == "after_send" else 0)
    assert make_sender().deliver([delivery], batch=False) == 1
    assert smtp.count() == 1 and smtp.distinct_keys() == 1
    assert smtp.replays == (1 if point == "after_send" else 0)


def test_a_4xx_reply_is_transient_and_the_retry_sends_once(world, booked, smtp, make_sender):
    delivery = _delivery(world, booked)
    smtp.fail_next("451 4.7.1 rate limited")
    with pytest.raises(TransientSendError):
        make_sender().deliver([delivery], batch=False)
    assert _status(world, delivery) == "sending"
    assert make_sender().deliver([delivery], batch=False) == 1 and smtp.count() == 1


def test_a_5xx_reply_is_permanent_and_marked_failed(world, booked, smtp, make_sender):
    delivery = _delivery(world, booked)
    smtp.fail_next("550 5.7.1 domain not verified")
    assert make_sender().deliver([delivery], batch=False) == 0
    assert _status(world, delivery) == "failed" and smtp.count() == 0


def test_an_unreachable_relay_is_transient(world, booked, make_sender):
    from tests.support.processes import free_port

    with pytest.raises(TransientSendError):
        make_sender(url=f"smtp://u:p@127.0.0.1:{free_port()}").deliver([_delivery(world, booked)], batch=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and a client context that trusts only it."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


@pytest.mark.parametrize("implicit", [False, True], ids=["smtp-starttls", "smtps"])
def test_tls_starttls_when_offered_and_implicit_for_smtps(implicit, certificate, world, booked, redis_client):
    server_context, client_context = certificate
    with FakeSMTP(tls_context=server_context, implicit_tls=implicit, require_starttls=not implicit) as tls:
        assert tls.url.startswith("smtps://" if implicit else "smtp://")
        settings = make_settings(SMTP_URL=tls.url)
        mailer = SmtpMailer(settings.smtp_url, limiter=None, ssl_context=client_context, timeout=5)
        sender = notifications.Sender(
            make_session_factory(world.engine), Mailer(api_key="re_test", limiter=None), Renderer(settings), smtp=mailer
        )
        assert sender.deliver([_delivery(world, booked)], batch=False) == 1
        assert tls.count() == 1


def test_a_message_without_its_key_is_refused_before_connecting():
    mailer = SmtpMailer("smtp://127.0.0.1:9", limiter=None)
    with pytest.raises(ValueError):
        mailer.send({"from": "a@example.com", "to": ["b@example.com"], "message": "Subject: x\r\n\r\nhi\r\n"}, key="k1")


def test_smtp_url_defaults_to_resends_relay_in_production_only():
    base = {
        "DATABASE_URL": "postgresql://x/y",
        "REDIS_URL": "redis://x",
        "JWT_SECRET_KEY": "k" * 40,
        "FRONTEND_ORIGIN": "https://app.example",
        "RESEND_API_KEY": "re_abc/def",
        "EMAIL_FROM": "a@example.com",
    }
    assert Settings.from_env(base).smtp_url == "smtps://resend:re_abc%2Fdef@smtp.resend.com:465"
    assert Settings.from_env({**base, "SMTP_URL": "smtp://u:p@127.0.0.1:2525"}).smtp_url == "smtp://u:p@127.0.0.1:2525"
    assert Settings.from_env({**base, "APP_ENV": "test"}).smtp_url == ""  # invitations fall back to the HTTP API
    for bad in ("http://example.com", "smtp://", "smtp://host:notaport"):
        with pytest.raises(ConfigError):
            Settings.from_env({**base, "SMTP_URL": bad})
    url = SmtpMailer(Settings.from_env(base).smtp_url, limiter=None)
    assert (url.host, url.port, url.user, url.password, url.implicit_tls) == (
        "smtp.resend.com",
        465,
        "resend",
        "re_abc/def",
        True,
    )
    assert SmtpMailer("smtp://relay.example", limiter=None).port == 587


def test_rendered_messages_are_sent_byte_for_byte_again(world, booked, smtp, make_sender, engine):
    """The stored message (Date, Message-ID, boundaries) is what a retry sends, not a new rendering."""
    delivery = _delivery(world, booked)
    with pytest.raises(Crash):
        make_sender(lambda at: (_ for _ in ()).throw(Crash()) if at == "after_send" else None).deliver(
            [delivery], batch=False
        )
    stored = world.scalar("SELECT payload->'smtp'->>'message' FROM deliveries WHERE id = :i", i=delivery)
    assert stored.encode() == smtp.messages[0]["raw"].replace(b"\r\n", b"\r\n")  # what the server received
    assert stored.isascii()
    assert (
        datetime.now(timezone.utc) - timedelta(minutes=5)
        < email.message_from_string(stored, policy=email.policy.default)["Date"].datetime
    )
