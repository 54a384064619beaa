"""The calendar endpoints: who may download an .ics, the feed URL, conditional serving, rotation."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from clinic.calendars import feeds
from clinic.outbox.models import OutboxMessage
from tests.calendars import strict
from tests.conftest import make_settings
from tests.calendars.conftest import book, free_slots


def _path(url: str) -> str:
    return urlsplit(url).path


def _drain_outbox(db, horizon_days: int = 365) -> None:
    """Do what the workers do with this test's outbox messages (in its own transaction)."""
    for message in db.scalars(
        select(OutboxMessage).where(OutboxMessage.relayed_at.is_(None)).order_by(OutboxMessage.id)
    ):
        feeds.rebuild_for_message(db, topic=message.topic, payload=message.payload, horizon_days=horizon_days)
        message.relayed_at = message.created_at
    db.flush()


def test_ics_download_is_for_the_patient_the_doctor_and_staff(api, app, cast, make_user, token_for):
    appointment = book(api, cast, free_slots(api, cast)[0])
    path = f"/api/appointments/{appointment['id']}/ics"
    for token in (cast.patient_token, cast.doctor_token, token_for(make_user("receptionist")), cast.admin):
        response = api.get(path, token)
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert "attachment" in response.headers["Content-Disposition"]
        assert strict.parse(response.data).events[0].sequence == 0
    stranger_doctor = make_user("doctor")
    for token in (token_for(make_user("patient")), token_for(stranger_doctor)):
        response = api.get(path, token)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert app.test_client().get(path).status_code == 401  # a fresh client: no login cookies
    assert api.get("/api/appointments/999999999/ics", cast.patient_token).status_code == 404


def test_feed_url_is_stable_and_served_with_validators(app, api, db, cast):
    book(api, cast, free_slots(api, cast)[0])
    first = api.get("/api/me/calendar", cast.patient_token)
    assert first.status_code == 200
    urls = first.get_json()
    public_url = app.config["SETTINGS"].public_url
    assert urls["url"].startswith(public_url + "/api/calendar/") and urls["url"].endswith(".ics")
    assert urls["webcal_url"] == "webcal://" + urls["url"].split("://", 1)[1]
    assert api.get("/api/me/calendar", cast.patient_token).get_json() == urls

    # Asked before the workers built it: built once synchronously, then stored.
    response = api.get(_path(urls["url"]))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-cache" and "Accept-Encoding" in response.headers["Vary"]
    etag, last_modified = response.headers["ETag"], response.headers["Last-Modified"]
    cal = strict.parse(response.data)
    assert cal.method == "PUBLISH" and len(cal.events) == 1

    assert api.get(_path(urls["url"]), headers={"If-None-Match": etag}).status_code == 304
    assert api.get(_path(urls["url"]), headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert api.get(_path(urls["url"]), headers={"If-None-Match": '"stale"'}).status_code == 200
    not_modified = api.get(_path(urls["url"]), headers={"If-Modified-Since": last_modified})
    assert not_modified.status_code == 304 and not_modified.data == b"" and not_modified.headers["ETag"] == etag
    long_ago = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert api.get(_path(urls["url"]), headers=long_ago).status_code == 200

    zipped = api.get(_path(urls["url"]), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == response.data
    assert zipped.headers["ETag"] == etag[:-1] + '-gz"'  # its own strong validator
    revalidated = api.get(
        _path(urls["url"]), headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == zipped.headers["ETag"]
    refused = api.get(_path(urls["url"]), headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == response.data


def test_feed_follows_reschedule_and_cancellation_after_the_worker_runs(api, db, cast):
    slots = free_slots(api, cast)
    appointment = book(api, cast, slots[0])
    patient_path = _path(api.get("/api/me/calendar", cast.patient_token).get_json()["url"])
    doctor_path = _path(api.get("/api/me/calendar", cast.doctor_token).get_json()["url"])
    _drain_outbox(db)  # feed_created + booked
    before = api.get(patient_path)
    assert [strict.utc(e.dtstart).isoformat() for e in strict.parse(before.data).events] == [
        strict.utc(__import__("datetime").datetime.fromisoformat(slots[0])).isoformat()
    ]
    doctor_events = strict.parse(api.get(doctor_path).data).events
    assert [e.summary for e in doctor_events] == ["Cita: Ana L."]

    assert (
        api.patch(
            f"/api/appointments/{appointment['id']}", cast.patient_token, json={"starts_at": slots[3]}
        ).status_code
        == 200
    )
    assert api.get(patient_path, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304  # not yet
    _drain_outbox(db)
    moved = api.get(patient_path, headers={"If-None-Match": before.headers["ETag"]})
    assert moved.status_code == 200
    (event,) = strict.parse(moved.data).events
    assert event.sequence == 1 and event.dtstart == __import__("datetime").datetime.fromisoformat(slots[3])
    assert strict.parse(api.get(doctor_path).data).events[0].sequence == 1

    assert api.post(f"/api/appointments/{appointment['id']}/cancel", cast.doctor_token, json={}).status_code == 200
    _drain_outbox(db)
    assert strict.parse(api.get(patient_path).data).events == []
    assert strict.parse(api.get(doctor_path).data).events == []


def test_rotation_makes_the_old_url_answer_404(api, db, cast):
    old = api.get("/api/me/calendar", cast.patient_token).get_json()["url"]
    assert api.get(_path(old)).status_code == 200
    rotated = api.post("/api/me/calendar/rotate", cast.patient_token)
    assert rotated.status_code == 200
    new = rotated.get_json()["url"]
    assert new != old
    gone = api.get(_path(old))
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    assert api.get(_path(new)).status_code == 200
    assert api.get("/api/me/calendar", cast.patient_token).get_json()["url"] == new


def test_rotate_before_any_feed_creates_one(api, make_user, token_for):
    token = token_for(make_user("patient"))
    url = api.post("/api/me/calendar/rotate", token).get_json()["url"]
    assert api.get(_path(url)).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/calendar/nope.ics", "/api/calendar/" + "a" * 300 + ".ics", "/api/calendar/%00%ff.ics", "/api/calendar/.ics"],
)
def test_unknown_tokens_are_404(api, path):
    assert api.get(path).status_code == 404


def test_only_patients_and_doctors_have_feeds(api, app, make_user, token_for):
    for role in ("receptionist", "admin"):
        token = token_for(make_user(role))
        assert api.get("/api/me/calendar", token).status_code == 403
        assert api.post("/api/me/calendar/rotate", token).status_code == 403
    assert app.test_client().get("/api/me/calendar").status_code == 401


def test_feed_url_is_the_public_url_not_the_forwarded_host(app, api, make_user, token_for, monkeypatch):
    """Forwarded headers are the caller's to choose: the URL comes from PUBLIC_URL only (issue 13.14)."""
    monkeypatch.setitem(app.config, "SETTINGS", make_settings(PUBLIC_URL="https://citas.example.org/"))
    token = token_for(make_user("patient"))
    response = api.get(
        "/api/me/calendar", token, headers={"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}
    )
    body = response.get_json()
    assert body["url"].startswith("https://citas.example.org/api/calendar/")
    assert body["webcal_url"].startswith("webcal://citas.example.org/api/calendar/")


def test_calendar_endpoints_are_in_openapi(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/appointments/{appointment_id}/ics",
        "/api/me/calendar",
        "/api/me/calendar/rotate",
        "/api/calendar/{token}.ics",
    ):
        assert path in paths, path
