"""Issue 16, items 2 and 4 in the browser: a patient gives a phone and opts in to SMS reminders; the front
desk sees each appointment's confirmation state and tomorrow's no-reply list (real web process, Chromium)."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Page, expect
from zoneinfo import ZoneInfo

from tests.conftest import PASSWORD
from tests.e2e.conftest import ZONE
from tests.e2e.helpers import sign_in, snap


def test_a_patient_opts_in_to_sms_reminders(page: Page, world):
    email = world.email("sms")
    world.ok("POST", "/api/users", {"email": email, "password": PASSWORD, "full_name": "Marta Sms", "role": "patient"})
    sign_in(page, email, "Pedir cita")
    page.get_by_role("navigation").get_by_role("link", name="Mi cuenta", exact=True).click()
    consent = page.get_by_role("region", name="Recordatorios por SMS o WhatsApp")
    expect(consent).to_contain_text("Escribe tu teléfono con el prefijo del país")
    page.get_by_label("Teléfono (opcional)").fill("+34 612 34 56 78")
    page.get_by_role("button", name="Guardar").first.click()
    box = consent.get_by_role(
        "checkbox", name="Acepto recibir recordatorios de mis citas por SMS o WhatsApp en el +34612345678"
    )
    expect(box).not_to_be_checked()
    box.check()
    expect(consent).to_contain_text("Aceptado el")
    snap(page, "60-account-sms-consent")
    status, me = world.system.call("GET", "/api/me", world.login(email))
    assert me["sms_opt_in"] is True and me["sms_opt_in_at"] and me["phone"] == "+34612345678"


def test_the_desk_sees_confirmations_and_tomorrows_no_reply_list(page: Page, world, engine):
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date()
    slots = world.ok(
        "GET", f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}&from={tomorrow}&to={tomorrow}"
    )["slots"]
    quiet = world.ok(
        "POST",
        "/api/appointments",
        {
            "doctor_id": world.doctor["id"],
            "service_id": world.service["id"],
            "starts_at": slots[0]["starts_at"],
            "patient_id": world.walk_in["id"],
        },
    )
    world.ok("PATCH", f"/api/patients/{world.walk_in['id']}", {"phone": "+34 699 11 22 33", "sms_opt_in": True})
    answered = world.ok(
        "POST",
        "/api/appointments",
        {
            "doctor_id": world.doctor["id"],
            "service_id": world.service["id"],
            "starts_at": slots[2]["starts_at"],
            "patient_id": world.seen["id"],
        },
    )
    with engine.begin() as conn:  # Pablo answered "SI" to his reminder (the reply itself: tests/sms)
        conn.exec_driver_sql(
            "UPDATE appointments SET confirmed_at = now(), confirmed_via = 'sms' WHERE id = %s", (answered["id"],)
        )
    sign_in(page, world.receptionist_email, "Recepción")
    page.get_by_label("Clínica").select_option(label=world.clinic["name"])
    no_reply = page.get_by_role("region", name="Sin respuesta para mañana")
    expect(no_reply.get_by_role("row").filter(has_text=world.walk_in["full_name"])).to_contain_text("+34699112233")
    expect(no_reply).not_to_contain_text(world.seen["full_name"])
    expect(no_reply).to_contain_text("Sin confirmar")
    # Tomorrow on the calendar: each appointment says its state in words.
    page.locator(".calendar").get_by_role("button", name="Siguiente").click()
    expect(page.locator(".rbc-event", has_text=world.seen["full_name"])).to_contain_text("confirmada")
    expect(page.locator(".rbc-event", has_text=world.walk_in["full_name"])).to_contain_text("sin confirmar")
    page.locator(".rbc-event", has_text=world.seen["full_name"]).click()
    panel = page.get_by_role("dialog", name="Detalles de la cita")
    expect(panel).to_contain_text("Confirmada por el paciente")
    snap(page, "61-desk-confirmation")
    panel.get_by_role("button", name="Cerrar").first.click()
    snap(page, "62-desk-no-reply")
    assert quiet["id"] != answered["id"]
