"""GET /api/events: the caller's live appointment changes as server-sent events."""

from __future__ import annotations

import json
import time
from functools import partial

import redis
from flask import Blueprint, Response as FlaskResponse, current_app, request
from flask_jwt_extended import get_jwt
from spectree import Response

from clinic.live.events import audience_of, channel, public
from web import database, errors
from web.access import SIGNED_IN, access, current_actor
from web.extensions import spec
from web.live import HEARTBEAT_SECONDS, PRELUDE, frame
from web.schemas.common import ErrorOut

bp = Blueprint("events", __name__, url_prefix="/api")
TAGS = ["events"]
SECURITY = {"bearer": []}
EVENTS_PATH = "/api/events"
# Set by web.server.BufferingWorker: it can take the socket over after the head (HANDOVER), and the view
# leaves there what should receive it (ATTACH).
HANDOVER = "clinic.live.handover"
ATTACH = "clinic.live.attach"
STREAM_HEADERS = {"X-Accel-Buffering": "no"}


@bp.get("/events")
@access(SIGNED_IN)
@database.unit_of_work(reads_only=True)
@spec.validate(
    resp=Response(
        HTTP_200=(
            None,
            "text/event-stream: `appointment` events {id, doctor_id, clinic_id, "
            "status, starts_at} for every change the caller may see",
        ),
        HTTP_503=ErrorOut,
    ),
    tags=TAGS,
    security=SECURITY,
)
def events():
    """Live updates: an `appointment` event for every change of an appointment the caller may see
    (patients: their own; doctors: theirs; staff: all), within 2 s of its commit. Comments every 15 s keep
    the connection open; the stream ends when the access token expires (reconnect with a fresh one), and a
    `resync` event means some events may have been missed (refetch)."""
    actor = current_actor()
    hub = current_app.extensions["live_hub"]
    if hub.full() or not hub.ensure_started():
        return errors.unavailable()
    audience = audience_of(database.session(), user_id=actor.user_id, role=actor.role)
    expires_at = float(get_jwt()["exp"])
    if request.environ.get(HANDOVER):
        request.environ[ATTACH] = partial(hub.attach, audience=audience, expires_at=expires_at)
        return FlaskResponse(b"", mimetype="text/event-stream", headers=STREAM_HEADERS)
    # A server without the hand-over (the Flask development server): this thread serves the stream.
    url = current_app.config["SETTINGS"].redis_url
    return FlaskResponse(
        _stream_in_thread(url, audience, expires_at), mimetype="text/event-stream", headers=STREAM_HEADERS
    )


def _stream_in_thread(url: str, audience, expires_at: float):
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel(int(client.connection_pool.connection_kwargs.get("db", 0))))
    try:
        yield PRELUDE
        last = time.monotonic()
        while time.time() < expires_at:
            message = pubsub.get_message(timeout=1.0)
            if message and message["type"] == "message":
                event = json.loads(message["data"])
                if audience.sees(event):
                    yield frame("appointment", public(event))
                    last = time.monotonic()
            elif time.monotonic() - last >= HEARTBEAT_SECONDS:
                yield b": keep-alive\n\n"
                last = time.monotonic()
    finally:
        pubsub.close()
