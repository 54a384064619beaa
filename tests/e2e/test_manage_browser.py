"""The manage link in Chromium, on the real stack: the confirmation email's `/a/<token>` link opens the
appointment without signing in; move it, then cancel it; a late cancellation says so. Screenshots (desktop
1366x800 and phone 390x844, es and en) under test-artifacts/screenshots/manage-*."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from clinic.db import make_session_factory
from clinic.manage import tokens
from clinic.unit_of_work import UnitOfWork
from tests.e2e.conftest import SHOTS, ZONE
from tests.e2e.helpers import snap, wait_email

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


def _context(browser, system, viewport, problems):
    context = browser.new_context(
        base_url=system.base, viewport=viewport, locale="es-ES", timezone_id="America/New_York", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    return context, page


@pytest.fixture()
def patient(world):
    email = world.email(f"manage-{int(time.time() * 1000) % 100000}")
    user = world.ok(
        "POST",
        "/api/users",
        {"email": email, "password": "Correct-Horse-9", "full_name": f"Marta Link {world.tag[:4]}", "role": "patient"},
    )
    return {**user, "email": email, "token": world.login(email)}


def test_open_the_confirmation_link_move_and_cancel_without_signing_in(browser, system, world, patient):
    day = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=8)).date()
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(ZONE))
    booked = world.ok(
        "POST",
        "/api/appointments",
        {"doctor_id": world.doctor["id"], "service_id": world.service["id"], "starts_at": start.isoformat()},
        token=patient["token"],
    )
    confirmation = wait_email(world, patient["email"], "Cita confirmada")
    link = re.search(re.escape(system.base) + r"(/a/[A-Za-z0-9_-]{22})\b", confirmation["text"]).group(1)
    assert f"{system.base}/appointments/" not in confirmation["text"]

    problems: list[str] = []
    context, page = _context(browser, system, DESKTOP, problems)
    page.goto(link)  # a fresh profile: never signed in
    expect(page.get_by_role("heading", level=1, name="Tu cita")).to_be_visible()
    details = page.locator(".manage-details")
    expect(details).to_contain_text(world.doctor["full_name"])
    expect(details).to_contain_text("Consulta general")
    expect(details).to_contain_text("Calle Mayor 1, Madrid")
    expect(details).to_contain_text("10:00")  # clinic time, though the browser is in New York
    expect(details).to_contain_text("Europe/Madrid")
    google = page.get_by_role("link", name="Google Calendar")
    assert google.get_attribute("href").startswith("https://calendar.google.com/calendar/render?")
    assert page.get_by_role("link", name="Outlook.com").get_attribute("href").startswith("https://outlook.live.com/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Otro calendario (.ics)").click()
    assert "BEGIN:VEVENT" in open(download.value.path(), encoding="utf-8").read()
    expect(page.get_by_text("Puedes cambiarla o anularla hasta el")).to_be_visible()
    snap(page, "manage-01-opened-desktop")

    # Move it: the first free time of a day a few days ahead (outside the 24 h cutoff: then cancelling is free).
    page.get_by_role("button", name="Cambiar", exact=True).click()
    expect(page.get_by_role("heading", name="Elige otra hora")).to_be_visible()
    page.locator(".manage-days button").nth(4).click()
    times = page.locator(".manage-times button")
    expect(times.first).to_be_visible()
    chosen = times.first.get_attribute("aria-label")
    snap(page, "manage-02-change-desktop")
    times.first.click()
    expect(page.get_by_text("Nueva hora:")).to_be_visible()
    page.get_by_role("button", name="Sí, cambiarla").click()
    expect(page.get_by_role("status").filter(has_text="Cita cambiada al")).to_be_visible()
    moved = world.ok("GET", f"/api/appointments/{booked['id']}")
    assert moved["starts_at"] != booked["starts_at"] and moved["sequence"] == 1
    moved_local = datetime.fromisoformat(moved["starts_at"]).astimezone(ZoneInfo(ZONE))
    assert chosen.endswith(moved_local.strftime("%H:%M")), (chosen, moved["starts_at"])
    snap(page, "manage-03-moved-desktop")

    # Cancel it (well before the deadline: not late).
    page.get_by_role("button", name="Anular", exact=True).click()
    dialog = page.get_by_role("dialog", name="¿Anular esta cita?")
    expect(dialog).to_contain_text("Puedes anularla sin coste")
    snap(page, "manage-04-cancel-dialog-desktop")
    dialog.get_by_role("button", name="Sí, anularla").click()
    expect(page.get_by_role("status").filter(has_text="Cita anulada.")).to_be_visible()
    cancelled = world.ok("GET", f"/api/appointments/{booked['id']}")
    assert cancelled["status"] == "cancelled" and cancelled["late_cancellation"] is False
    expect(page.get_by_role("button", name="Cambiar", exact=True)).to_have_count(0)
    snap(page, "manage-05-cancelled-desktop")
    history = world.ok("GET", f"/api/appointments/{booked['id']}/history")
    assert [(h["action"], h["details"].get("channel")) for h in history if h["action"] != "link_opened"] == [
        ("booked", None),
        ("rescheduled", "email"),
        ("cancelled", "email"),
    ]
    assert any(h["action"] == "link_opened" and h["details"]["channel"] == "email" for h in history)
    context.close()

    # The same link on a phone still shows the (cancelled) appointment, until it ends.
    context, page = _context(browser, system, PHONE, problems)
    page.goto(link)
    expect(page.get_by_text("Anulada").or_(page.get_by_text("Cancelada")).first).to_be_visible()
    snap(page, "manage-06-cancelled-phone")
    context.close()
    assert problems == [], problems


def test_a_late_cancellation_through_the_link_says_so_on_a_phone(browser, system, world, patient, engine):
    soon = (datetime.now(timezone.utc) + timedelta(hours=5)).replace(second=0, microsecond=0)
    with engine.begin() as conn:
        appointment_id = conn.exec_driver_sql(
            "INSERT INTO appointments (doctor_id, patient_id, service_id, clinic_id, starts_at, ends_at, "
            "blocked_until, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'booked') RETURNING id",
            (
                world.doctor["id"],
                patient["id"],
                world.service["id"],
                world.clinic["id"],
                soon,
                soon + timedelta(minutes=30),
                soon + timedelta(minutes=30),
            ),
        ).scalar_one()
    with UnitOfWork(make_session_factory(engine)) as uow:  # as the SMS branch will: an sms-channel link
        session = uow.session
        token = tokens.mint(session, appointment_id=appointment_id, channel="sms", secret=system.env["JWT_SECRET_KEY"])
    problems: list[str] = []
    context, page = _context(browser, system, PHONE, problems)
    page.goto(f"/a/{token}")
    expect(page.get_by_role("heading", level=1, name="Tu cita")).to_be_visible()
    expect(page.get_by_text("El plazo para cambiarla terminó")).to_be_visible()
    expect(page.get_by_role("button", name="Cambiar", exact=True)).to_have_count(0)
    snap(page, "manage-07-late-phone")
    page.get_by_role("button", name="Anular", exact=True).click()
    dialog = page.get_by_role("dialog", name="¿Anular esta cita?")
    expect(dialog).to_contain_text("contará como anulación tardía")
    snap(page, "manage-08-late-dialog-phone")
    for button in [
        dialog.get_by_role("button", name="Sí, anularla"),
        dialog.get_by_role("button", name="No, mantenerla"),
    ]:
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    dialog.get_by_role("button", name="Sí, anularla").click()
    expect(page.get_by_role("status").filter(has_text="Ha contado como anulación tardía")).to_be_visible()
    expect(page.get_by_text("Anulación tardía", exact=True)).to_be_visible()
    snap(page, "manage-09-late-cancelled-phone")
    answer = world.ok("GET", f"/api/appointments/{appointment_id}")
    assert answer["status"] == "cancelled" and answer["late_cancellation"] is True
    history = world.ok("GET", f"/api/appointments/{appointment_id}/history")
    assert [h["details"] for h in history if h["action"] == "cancelled"][0]["channel"] == "sms"
    context.close()
    assert problems == [], problems
    assert SHOTS.exists()


def test_a_waitlist_offer_is_booked_in_one_tap(browser, system, world, patient, engine):
    day = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=9)).date()
    start = datetime(day.year, day.month, day.day, 12, 0, tzinfo=ZoneInfo(ZONE))
    with engine.begin() as conn:
        entry = conn.exec_driver_sql(
            "INSERT INTO waitlist_entries (patient_id, service_id, doctor_id, from_date, to_date, status) "
            "VALUES (%s, %s, %s, %s, %s, 'offered') RETURNING id",
            (patient["id"], world.service["id"], world.doctor["id"], day, day),
        ).scalar_one()
        hold = conn.exec_driver_sql(
            "INSERT INTO slot_holds (entry_id, patient_id, doctor_id, service_id, starts_at, ends_at, blocked_until, "
            "expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now() + interval '30 minutes') RETURNING id",
            (
                entry,
                patient["id"],
                world.doctor["id"],
                world.service["id"],
                start,
                start + timedelta(minutes=30),
                start + timedelta(minutes=30),
            ),
        ).scalar_one()
    with UnitOfWork(make_session_factory(engine)) as uow:
        session = uow.session
        token = tokens.mint_offer(session, hold_id=hold, channel="email", secret=system.env["JWT_SECRET_KEY"])
    problems: list[str] = []
    context, page = _context(browser, system, PHONE, problems)
    page.goto(f"/a/{token}")
    expect(page.get_by_role("heading", level=1, name="Hay un hueco para ti")).to_be_visible()
    expect(page.locator(".manage-details")).to_contain_text("12:00")
    snap(page, "manage-10-offer-phone")
    page.get_by_role("button", name="Reservar este hueco").click()
    expect(page.get_by_role("heading", level=1, name="Tu cita")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="¡Hecho! Tu cita está reservada")).to_be_visible()
    assert re.fullmatch(r".*/a/[A-Za-z0-9_-]{22}", page.url) and token not in page.url
    snap(page, "manage-11-offer-booked-phone")
    mine = world.appointments(patient_id=patient["id"], status="booked")
    assert [datetime.fromisoformat(a["starts_at"]) for a in mine] == [start]
    context.close()
    assert problems == [], problems
