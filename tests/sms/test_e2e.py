"""The whole SMS loop on the real stack: gunicorn web, a Dramatiq worker and `python -m scheduler --once --at`,
with a fake Twilio and fake mail on loopback.

book -> the reminder sweep sends one email and one SMS (with the appointment's manage link, which opens it in
Chromium without signing in) -> a signed "NO" reply cancels it -> the waitlisted patient gets the offer email
with its one-tap link."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib import request as urlrequest
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest

from tests.sms.conftest import mobile
from tests.support.async_world import scheduler_once, wait_until
from tests.support.fake_twilio import FakeTwilio, signature
from tests.support.processes import ProcfileProcesses

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-9"


def _register(system, world, name: str, locale: str = "es") -> tuple[dict, str]:
    email = f"sms-e2e-{uuid.uuid4().hex[:10]}@example.com"
    status, body = system.call(
        "POST", "/api/auth/register", body={"email": email, "password": PASSWORD, "full_name": name, "locale": locale}
    )
    assert status == 201, body
    world.users.append(body["user"]["id"])
    return body["user"], body["access_token"]


def _opens_in_chromium(url: str, doctor_name: str) -> None:
    """The SMS's link, opened in a browser that never signed in, shows the appointment."""
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="es-ES").new_page()
            page.goto(url)
            expect(page.get_by_role("heading", name="Tu cita")).to_be_visible(timeout=15000)
            expect(page.get_by_text(doctor_name).first).to_be_visible()
        finally:
            browser.close()


def _post_form(url: str, params: dict, sig: str) -> tuple[int, str]:
    req = urlrequest.Request(
        url,
        data=urlencode(params).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )
    try:
        with urlrequest.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except HTTPError as e:
        return e.code, e.read().decode()


def test_book_remind_by_sms_reply_no_and_the_waitlist_gets_the_slot(world, fake, twilio, env, tmp_path):
    clinic = world.clinic("Europe/Madrid")
    service = world.service()
    doctor = world.doctor(clinic, service)
    for weekday in range(7):
        world.sql(
            "INSERT INTO working_hours (doctor_id, weekday, start_time, end_time) VALUES (:d, :w, '09:00', '13:00')",
            d=doctor["id"],
            w=weekday,
        )
    with ProcfileProcesses(
        ["web", "worker"], {**env, "RATELIMIT_ENABLED": "0", "BCRYPT_ROUNDS": "4"}, tmp_path
    ) as system:
        ana, ana_token = _register(system, world, "Ana Sms")
        bea, bea_token = _register(system, world, "Bea Waitlist")
        phone = mobile()
        status, me = system.call("PATCH", "/api/me", ana_token, body={"phone": phone, "sms_opt_in": True})
        assert status == 200 and me["sms_opt_in"] is True and me["phone"] == phone

        day = (datetime.now(timezone.utc) + timedelta(days=3)).date()
        status, slots = system.call(
            "GET", f"/api/doctors/{doctor['id']}/slots?service_id={service}&from={day}&to={day}", ana_token
        )
        assert status == 200 and slots["slots"], slots
        starts_at = slots["slots"][0]["starts_at"]
        status, booked = system.call(
            "POST",
            "/api/appointments",
            ana_token,
            body={"doctor_id": doctor["id"], "service_id": service, "starts_at": starts_at},
        )
        assert status == 201, booked
        status, entry = system.call(
            "POST",
            "/api/waitlist",
            bea_token,
            body={"service_id": service, "doctor_id": doctor["id"], "from": day.isoformat(), "to": day.isoformat()},
        )
        assert status == 201, entry
        assert len(fake.wait_for(ana["email"], 1, timeout=30)) == 1  # the booking's invitation

        # The 24-hour reminder sweep, as of one minute after it is due.
        at = datetime.fromisoformat(starts_at) - timedelta(minutes=1440 - 1)
        run = scheduler_once(env, at=at)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        [sms] = twilio.wait_for(phone, 1, timeout=30)
        reminders = [e for e in fake.wait_for(ana["email"], 2, timeout=30) if "Recordatorio" in e["subject"]]
        assert len(reminders) == 1
        link = re.search(r"https://clinic\.example/\S+", sms["Body"]).group(0)
        token = re.fullmatch(r"https://clinic\.example/a/([A-Za-z0-9_-]{22})", link).group(1)
        status, opened = system.call("GET", f"/api/manage/{token}", None)  # no sign-in
        assert status == 200 and opened["kind"] == "appointment" and opened["id"] == booked["id"], opened
        _opens_in_chromium(system.base + f"/a/{token}", booked["doctor_name"])
        local = datetime.fromisoformat(starts_at)
        assert f"{local:%d/%m} a las {local:%H:%M}" in sms["Body"] and "Clinica Central" in sms["Body"]
        assert scheduler_once(env, at=at).returncode == 0  # a second sweep: nothing new
        # The patient answers "NO", signed by Twilio over PUBLIC_URL + path.
        params = {
            "From": phone,
            "To": "+34900000000",
            "Body": "No",
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": FakeTwilio.SID,
        }
        bad = _post_form(
            system.base + "/api/sms/inbound",
            params,
            signature("wrong", "https://clinic.example/api/sms/inbound", params),
        )
        assert bad[0] == 403
        assert system.call("GET", f"/api/appointments/{booked['id']}", ana_token)[1]["status"] == "booked"
        status, twiml = _post_form(
            system.base + "/api/sms/inbound",
            params,
            signature(FakeTwilio.TOKEN, "https://clinic.example/api/sms/inbound", params),
        )
        assert status == 200 and "<Message>Tu cita del" in twiml and "queda cancelada" in twiml, twiml
        status, appointment = system.call("GET", f"/api/appointments/{booked['id']}", ana_token)
        assert appointment["status"] == "cancelled" and appointment["confirmation"] == "cancelled_by_sms"

        offer = wait_until(
            lambda: [e for e in fake.to(bea["email"]) if e["subject"].startswith("Hay un hueco")], timeout=40
        )
        assert offer, system.log("worker")[-3000:]
        assert re.search(r"https://clinic\.example/a/[A-Za-z0-9_-]{22}", offer[0]["text"])  # one tap to accept
        assert wait_until(
            lambda: any(e["subject"].startswith("Cita cancelada") for e in fake.to(ana["email"])), timeout=30
        )
        assert len(twilio.to(phone)) == 1 and twilio.unauthorized == 0
