"""bin/run's dev mailbox fakes Twilio too: it shows the texts the system sends and sends signed replies to
the real web process, so the whole SMS loop can be tried locally."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone
from urllib import request as urlrequest
from urllib.parse import urlencode

import pytest

from clinic.sms.twilio_api import Refused, TwilioApi
from scripts import dev_mailbox
from tests.sms.conftest import mobile, opted_in
from tests.support.fake_twilio import FakeTwilio
from tests.support.processes import ProcfileProcesses

pytestmark = pytest.mark.e2e


def _serve(tmp_path, webhook: str):
    twilio = dev_mailbox.FakeTwilio(FakeTwilio.SID, FakeTwilio.TOKEN, webhook)
    server = dev_mailbox.serve(0, tmp_path / "box", twilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _get(url: str) -> str:
    with urlrequest.urlopen(url, timeout=10) as r:
        return r.read().decode()


def test_the_mailbox_shows_sent_texts_and_replies_signed_to_the_web(world, env, tmp_path):
    system = ProcfileProcesses(["web"], {**env, "RATELIMIT_ENABLED": "0"}, tmp_path)
    system.env["PUBLIC_URL"] = system.base  # what bin/run does: the web's own address
    with system:
        server, url = _serve(tmp_path, system.base + "/api/sms/inbound")
        try:
            clinic = world.clinic()
            service = world.service()
            doctor = world.doctor(clinic, service)
            patient = world.user()
            phone = opted_in(world, patient, mobile())
            appointment = world.appointment(doctor, patient, service, datetime.now(timezone.utc) + timedelta(days=2))

            # The system's own client sends through the mailbox's Twilio API (Basic auth checked).
            api = TwilioApi(account_sid=FakeTwilio.SID, auth_token=FakeTwilio.TOKEN, api_url=url)
            sid = api.send(to=phone, from_="+34900000000", body="Clinica Central: recordatorio de tu cita")
            with pytest.raises(Refused):
                TwilioApi(account_sid=FakeTwilio.SID, auth_token="wrong", api_url=url).send(
                    to=phone, from_="+34900000000", body="x"
                )
            page = _get(url + "/")
            assert "Texts: SMS/WhatsApp (1)" in page and "recordatorio de tu cita" in page and phone in page
            [sent] = json.loads(_get(url + "/api/texts"))
            assert sent["sid"] == sid and sent["direction"] == "out"

            # Reply "SI" from the page's form: signed, posted to the web, answered with TwiML.
            csrf = re.search(r"name=csrf value=([\w-]+)", page).group(1)
            form = urlencode({"csrf": csrf, "From": phone, "Body": "SI", "To": "+34900000000"}).encode()
            req = urlrequest.Request(url + "/sms/reply", data=form, method="POST")
            with urlrequest.urlopen(req, timeout=20) as r:
                assert r.status == 200  # the 303 led back to the page
            reply = json.loads(_get(url + "/api/texts"))[0]
            assert reply["direction"] == "in" and reply["status"] == 200, reply
            assert "queda confirmada" in reply["answer"]
            assert world.scalar("SELECT confirmed_via FROM appointments WHERE id = :a", a=appointment) == "sms"
            assert "queda confirmada" in _get(url + "/")
            # Without the page's token nothing is sent.
            bad = urlrequest.Request(
                url + "/sms/reply", data=urlencode({"From": phone, "Body": "NO"}).encode(), method="POST"
            )
            with pytest.raises(Exception) as refused:
                urlrequest.urlopen(bad, timeout=10)
            assert getattr(refused.value, "code", None) == 403
            assert world.scalar("SELECT status FROM appointments WHERE id = :a", a=appointment) == "booked"
        finally:
            server.shutdown()
            server.server_close()
