"""Clinical text never leaves the record: not in logs, outgoing messages/emails, calendars or Sentry events.

A unique marker is written into every clinical field; then everything those channels produced is scanned.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sentry_sdk
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.transport import Transport
from sqlalchemy import select

from clinic import logs
from clinic.observability import init_sentry
from clinic.outbox.models import OutboxMessage
from clinic.records import export, service


def _write_marker_everywhere(api, cast, token_for, marker: str) -> None:
    doctor, stranger = token_for(cast.doctor), token_for(cast.stranger_doctor)
    path = f"/api/patients/{cast.patient.id}/record"
    assert (
        api.patch(
            path, doctor, json={"allergies": [marker], "conditions": [f"dx {marker}"], "medications": [f"rx {marker}"]}
        ).status_code
        == 200
    )
    entry = api.post(f"{path}/entries", doctor, json={"text": f"nota {marker}", "appointment_id": cast.appointment.id})
    assert entry.status_code == 201
    assert (
        api.post(
            f"{path}/entries", doctor, json={"text": f"corrige {marker}", "corrects_id": entry.get_json()["id"]}
        ).status_code
        == 201
    )
    # Denied and invalid attempts that carry clinical text must not echo it anywhere either.
    assert api.post(f"{path}/entries", stranger, json={"text": f"intruso {marker}"}).status_code == 404
    assert (
        api.post(f"{path}/entries", doctor, json={"text": f"mala {marker}", "corrects_id": 10**12}).status_code == 422
    )
    assert api.patch(path, doctor, json={"allergies": [marker], "bogus": marker}).status_code == 422
    assert marker in api.get(path, doctor).get_data(as_text=True)  # the marker is really stored
    assert api.get(f"{path}/versions", token_for(cast.patient)).status_code == 200


@pytest.fixture()
def json_log():
    """The JSON log output exactly as production writes it, with the access log switched on."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def test_no_clinical_text_in_logs_or_outgoing_messages(app, api, db, cast, token_for, caplog, json_log):
    marker = f"CLIN-{uuid.uuid4().hex}"
    app.config["ACCESS_LOG"] = True
    caplog.set_level(logging.DEBUG)
    try:
        _write_marker_everywhere(api, cast, token_for, marker)
        requested = api.post("/api/me/export", token_for(cast.patient)).get_json()
        export.build_export(db, export_id=requested["id"], now=cast.appointment.starts_at)
    finally:
        app.config["ACCESS_LOG"] = False

    output = json_log.getvalue()
    assert '"route": "/api/patients/<int:patient_id>/record/entries"' in output  # the log was really captured
    assert marker not in output
    assert all(marker not in record.getMessage() and marker not in str(record.__dict__) for record in caplog.records)
    # Every email and job starts as an outbox message: none carries clinical text.
    payloads = [json.dumps(m.payload) for m in db.scalars(select(OutboxMessage))]
    assert any(requested["id"] in p for p in payloads)
    assert not [p for p in payloads if marker in p]


def test_no_clinical_text_in_calendars(app, api, db, cast, token_for):
    from clinic.calendars import invites

    marker = f"CLIN-{uuid.uuid4().hex}"
    _write_marker_everywhere(api, cast, token_for, marker)
    ics = [invites.invite_for(db, appointment_id=cast.appointment.id, method="REQUEST")]
    for user in (cast.patient, cast.doctor):
        token = token_for(user)
        single = api.get(f"/api/appointments/{cast.appointment.id}/ics", token)
        assert single.status_code == 200
        ics.append(single.get_data())
        feed_url = api.get("/api/me/calendar", token).get_json()["url"]
        feed = api.get(urlsplit(feed_url).path)  # the secret URL works without signing in
        assert feed.status_code == 200
        ics.append(feed.get_data())
    text = b"".join(ics).decode()
    assert text.count("BEGIN:VCALENDAR") == 5 and cast.appointment.ical_uid in text
    assert marker not in text


def test_no_clinical_text_in_emails(api, db, cast, token_for):
    """The emails about this patient's appointment and the doctor's agenda, rendered as the workers send them."""
    from clinic.notifications import service as deliveries
    from clinic.notifications.models import Delivery
    from clinic.notifications.render import Renderer
    from tests.conftest import make_settings

    marker = f"CLIN-{uuid.uuid4().hex}"
    _write_marker_everywhere(api, cast, token_for, marker)
    appt = cast.appointment
    local_day = appt.starts_at.date().isoformat()
    ids = [
        deliveries.ensure(
            db,
            key=f"leak-{kind}-{uuid.uuid4().hex}",
            kind=kind,
            appointment_id=appt.id,
            doctor_id=cast.doctor_profile.id if kind == "agenda" else None,
            recipient_id=cast.doctor.id if kind == "agenda" else cast.patient.id,
            details=details,
        )
        for kind, details in [
            ("confirmation", {}),
            ("reminder", {"starts_at": appt.starts_at.isoformat()}),
            ("agenda", {"day": local_day}),
        ]
    ]
    rows = list(db.scalars(select(Delivery).where(Delivery.id.in_(ids))))
    rendered = Renderer(make_settings()).render(db, rows, now=appt.starts_at - timedelta(days=1))
    emails = [params for params in rendered.values() if params]
    assert len(emails) == 3, rendered  # confirmation and reminder to the patient, agenda to the doctor
    text = json.dumps(emails, ensure_ascii=False)
    text += "".join(base64.b64decode(a["content"]).decode() for e in emails for a in e.get("attachments", []))
    assert cast.patient.email in text and "BEGIN:VCALENDAR" in text
    assert marker not in text


class RecordingTransport(Transport):
    """Keeps every envelope in memory; nothing goes to the network."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes: list[bytes] = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope.serialize())


@pytest.fixture()
def sentry_events(monkeypatch):
    """Sentry initialised exactly as the app does it (clinic.observability), with a recording transport."""
    transport = RecordingTransport()
    real_init = sentry_sdk.init
    monkeypatch.setattr(sentry_sdk, "init", lambda *a, **kw: real_init(*a, transport=transport, **kw))
    assert init_sentry("https://public@sentry.invalid/1", integrations=[FlaskIntegration()], environment="test")
    yield transport
    sentry_sdk.flush()
    real_init(dsn="")  # no DSN (and not SENTRY_DSN from the environment): the SDK goes quiet again


@pytest.mark.allow_5xx
def test_no_clinical_text_in_sentry_events(app, api, cast, token_for, monkeypatch, sentry_events):
    marker = f"CLIN-{uuid.uuid4().hex}"
    _write_marker_everywhere(api, cast, token_for, marker)

    # An unexpected failure in the middle of writing an entry: the frames hold the text, the request body too.
    real = service._granted

    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure while auditing")

    monkeypatch.setattr(service, "_granted", explode)
    r = api.post(
        f"/api/patients/{cast.patient.id}/record/entries", token_for(cast.doctor), json={"text": f"fallo {marker}"}
    )
    assert r.status_code == 500 and marker not in r.get_data(as_text=True)
    monkeypatch.setattr(service, "_granted", real)
    sentry_sdk.capture_message("after the record requests")
    sentry_sdk.flush()

    sent = b"".join(sentry_events.envelopes).decode("utf-8", errors="replace")
    assert "simulated failure while auditing" in sent  # the failure really reached Sentry
    assert "/api/patients/" in sent
    assert marker not in sent
