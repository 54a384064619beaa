"""End-to-end in real Chromium against gunicorn + dramatiq + PostgreSQL + Redis (see conftest.py).

Each scenario also saves screenshots of its screens in Spanish and English under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import later_times, sign_in, snap, time_in_next_week

pytestmark = pytest.mark.e2e


def test_patient_signs_up_books_sees_reschedules_and_cancels(page: Page, world):
    page.goto("/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    snap(page, "01-sign-in")
    page.get_by_role("link", name="Crear cuenta").click()
    email = world.email("marta")
    page.get_by_label("Nombre completo").fill("Marta Sanz")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    snap(page, "02-sign-up")
    page.get_by_role("button", name="Crear cuenta").click()

    # The new address gets its verification link (HTTP API). Waited for before the next screenshots: their
    # language round trip is saved to the account, and an email rendered meanwhile would be in English.
    expect(page.get_by_role("heading", level=1, name="Pedir cita")).to_be_visible()
    verification = _first_email(world, email, "Confirma tu correo")

    # Find the doctor and book a time in the picker (next days: beyond the 24 h change cutoff).
    page.get_by_role("button", name=f"Ver huecos: {world.doctor['full_name']}").click()
    slots = later_times(page, page)
    snap(page, "03-book-slots")
    chosen = slots.nth(2)
    chosen_name = chosen.inner_text()
    chosen.click()
    confirm = page.get_by_role("region", name="Confirmar la cita")
    expect(confirm).to_contain_text(world.doctor["full_name"])
    confirm.get_by_label("Motivo (opcional)").fill("Revisión anual")
    snap(page, "04-book-confirm")
    confirm.get_by_role("button", name="Confirmar cita").click()
    expect(page.get_by_role("heading", name="Cita confirmada")).to_be_focused()
    # The confirmation, an invitation (iMIP) over SMTP (waited for before the screenshot, as above).
    confirmation = _first_email(world, email, "Cita confirmada")
    snap(page, "05-book-confirmed")

    me = [u for u in world.ok("GET", "/api/users?role=patient&q=" + email)["items"]][0]
    booked = world.appointments(patient_id=me["id"])
    assert [a["status"] for a in booked] == ["booked"]
    assert chosen_name.endswith(datetime.fromisoformat(booked[0]["starts_at"]).strftime("%H:%M"))
    link = re.search(r"/verify-email\?token=[\w-]+", verification["text"]).group(0)
    page.goto(link)
    expect(page.get_by_role("status")).to_be_visible()
    assert confirmation["path"] == "smtp" and confirmation["subject"].startswith("Cita confirmada")
    assert [a["filename"] for a in confirmation["attachments"]] == ["invite.ics"]

    # It is in "my appointments".
    page.get_by_role("navigation").get_by_role("link", name="Mis citas", exact=True).click()
    item = page.locator("li.appointment", has_text=world.doctor["full_name"])
    expect(item).to_contain_text("Se puede cambiar o anular hasta el")
    expect(item).to_contain_text("Reservada")
    snap(page, "06-my-appointments")
    page.get_by_role("button", name="Calendario").click()
    expect(page.locator(".rbc-event").first).to_be_visible()
    snap(page, "07-my-appointments-calendar")
    page.get_by_role("button", name="Lista").click()

    # Its invitation as a file.
    with page.expect_download() as download:
        item.get_by_role("button", name="Descargar .ics").click()
    ics = Path(download.value.path()).read_text()
    assert "BEGIN:VCALENDAR" in ics and "BEGIN:VEVENT" in ics

    # Reschedule to another free slot.
    item.get_by_role("button", name="Cambiar fecha").click()
    dialog = page.get_by_role("dialog", name="Cambiar la fecha de la cita")
    new_slots = later_times(page, dialog)
    snap(page, "08-reschedule")
    new_slots.nth(5).click()
    dialog.get_by_role("button", name="Confirmar cita").click()
    expect(page.get_by_role("status").filter(has_text="Cita cambiada al")).to_be_visible()
    moved = world.ok("GET", f"/api/appointments/{booked[0]['id']}")
    assert moved["starts_at"] != booked[0]["starts_at"] and moved["status"] == "booked"

    # Cancel it.
    item.get_by_role("button", name="Anular cita").click()
    dialog = page.get_by_role("dialog", name="¿Anular esta cita?")
    expect(dialog).not_to_contain_text("anulación tardía")  # days ahead: an ordinary cancellation
    snap(page, "09-cancel")
    dialog.get_by_role("button", name="Sí, anular").click()
    expect(page.get_by_role("status").filter(has_text="Cita anulada.")).to_be_visible()
    expect(item).to_contain_text("Cancelada")
    assert world.ok("GET", f"/api/appointments/{booked[0]['id']}")["status"] == "cancelled"

    # The other patient screens.
    page.get_by_role("navigation").get_by_role("link", name="Mi historial", exact=True).click()
    expect(page.get_by_role("heading", name="Registro de accesos")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_be_visible()
    snap(page, "10-my-record")
    page.get_by_role("navigation").get_by_role("link", name="Mi cuenta", exact=True).click()
    expect(page.locator("#calendar-url")).to_have_value(re.compile(r"^webcal://"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copiar enlace").click()
    expect(page.get_by_role("status").filter(has_text="Enlace copiado.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#calendar-url").input_value()
    page.get_by_role("button", name="Solicitar exportación").click()
    expect(page.get_by_role("button", name="Descargar mis datos")).to_be_visible(timeout=30000)  # built by the worker
    snap(page, "11-account")

    # Join the waitlist for this doctor, then see it listed.
    page.get_by_role("navigation").get_by_role("link", name="Pedir cita", exact=True).click()
    page.get_by_role("button", name=f"Ver huecos: {world.doctor['full_name']}").click()
    page.get_by_text("Unirme a la lista de espera").first.click()
    page.get_by_role("button", name="Unirme a la lista de espera").click()
    expect(page.get_by_role("status").filter(has_text="Te hemos apuntado a la lista de espera.")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Lista de espera", exact=True).click()
    expect(page.locator("li.appointment", has_text="Consulta general")).to_be_visible()
    snap(page, "12-waitlist")
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()


def test_doctor_sees_agenda_marks_attended_and_writes_the_record(page: Page, world):
    sign_in(page, world.doctor_email, "Mi agenda")
    event = page.locator(".rbc-event", has_text=world.seen["full_name"])
    expect(event).to_be_visible()
    snap(page, "20-doctor-agenda")
    event.click()
    panel = page.get_by_role("dialog", name="Detalles de la cita")
    expect(panel).to_contain_text(world.seen["full_name"])
    panel.get_by_role("button", name="Marcar atendida").click()
    expect(panel.get_by_role("status")).to_contain_text("Asistencia guardada.")
    expect(panel).to_contain_text("Atendida")
    snap(page, "21-doctor-appointment")
    assert world.ok("GET", f"/api/appointments/{world.started}")["status"] == "completed"

    panel.get_by_role("link", name="Abrir historial").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.seen["full_name"])
    page.get_by_label("Alergias").fill("Penicilina\nPolen")
    page.get_by_role("button", name="Guardar listas").click()
    expect(page.get_by_role("status").filter(has_text="Historial actualizado.")).to_be_visible()
    page.get_by_label("Nota", exact=True).fill("Tensión 12/8. Sin cambios en la medicación.")
    page.get_by_role("button", name="Añadir nota").click()
    expect(page.locator("ol.entries")).to_contain_text("Tensión 12/8")
    snap(page, "22-doctor-record")
    record = world.ok("GET", f"/api/patients/{world.seen['id']}/record", token=world.login(world.doctor_email))
    assert record["allergies"] == ["Penicilina", "Polen"]
    assert [e["text"] for e in record["entries"]] == ["Tensión 12/8. Sin cambios en la medicación."]
    assert record["entries"][0]["appointment_id"] == world.started

    page.get_by_role("navigation").get_by_role("link", name="Horario y ausencias", exact=True).click()
    expect(page.get_by_label("lunes, inicio del tramo 1")).to_have_value("08:00")
    page.get_by_label("Empieza").fill("2027-01-04T08:00")
    page.get_by_label("Termina").fill("2027-01-04T14:00")
    page.get_by_label("Motivo").fill("Congreso")
    page.get_by_role("button", name="Comprobar ausencia").click()  # time off is previewed first (issue 18)
    preview = page.get_by_role("region", name="Antes de añadir esta ausencia")
    expect(preview).to_contain_text("Ninguna cita reservada cae en esta ausencia.")
    preview.get_by_role("button", name="Añadir ausencia").click()
    expect(page.get_by_role("status").filter(has_text="Citas afectadas")).to_contain_text(": 0")
    expect(page.locator("li.appointment", has_text="Congreso")).to_contain_text("lunes, 4 de enero de 2027, 08:00")
    [off] = world.ok("GET", f"/api/doctors/{world.doctor['id']}/time-off")
    assert off["starts_at"] == "2027-01-04T08:00:00+01:00" and off["ends_at"] == "2027-01-04T14:00:00+01:00"
    snap(page, "23-doctor-schedule")
    page.get_by_role("navigation").get_by_role("link", name="Mi cuenta", exact=True).click()
    expect(page.locator("#calendar-url")).to_have_value(re.compile(r"^webcal://"))


def test_receptionist_books_for_a_patient_and_moves_it_by_drag_and_drop(page: Page, world):
    sign_in(page, world.receptionist_email, "Recepción")
    page.get_by_label("Clínica").select_option(label=world.clinic["name"])
    snap(page, "30-desk-day")
    page.get_by_role("button", name="Reservar para un paciente").click()
    dialog = page.get_by_role("dialog", name="Reservar para un paciente")
    dialog.get_by_label("Buscar paciente").fill(world.walk_in["full_name"][:9])
    dialog.get_by_role("button", name=world.walk_in["full_name"]).click()
    later_times(page, dialog)  # the patients' time picker: day columns of times (issue 18)
    snap(page, "31-desk-book-for-patient")
    time_in_next_week(dialog).click()
    dialog.get_by_role("button", name="Confirmar cita").click()
    expect(
        page.get_by_role("status").filter(has_text=f"Cita reservada para {world.walk_in['full_name']}")
    ).to_be_visible()
    [booked] = world.appointments(patient_id=world.walk_in["id"])
    assert booked["status"] == "booked" and booked["doctor_id"] == world.doctor["id"]

    # Week view, next week: drag the appointment two hours later.
    calendar = page.locator(".calendar")
    calendar.get_by_role("button", name="Semana").click()
    calendar.get_by_role("button", name="Siguiente").click()
    event = page.locator(".rbc-event", has_text=world.walk_in["full_name"])
    expect(event).to_be_visible()
    snap(page, "32-desk-week")
    event.scroll_into_view_if_needed()
    box = event.bounding_box()
    hour = page.locator(".rbc-timeslot-group").first.bounding_box()["height"]
    x, y = box["x"] + box["width"] / 2, box["y"] + 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=3)
    page.mouse.move(x, y + 2 * hour, steps=12)
    page.mouse.up()
    expect(page.get_by_role("status").filter(has_text="Cita movida al")).to_be_visible()
    moved = world.ok("GET", f"/api/appointments/{booked['id']}")
    shift = datetime.fromisoformat(moved["starts_at"]) - datetime.fromisoformat(booked["starts_at"])
    assert shift.total_seconds() == 2 * 3600, (booked["starts_at"], moved["starts_at"])

    # Open it: cancel and attendance are there.
    page.locator(".rbc-event", has_text=world.walk_in["full_name"]).click()
    panel = page.get_by_role("dialog", name="Detalles de la cita")
    expect(panel.get_by_role("button", name="Anular cita")).to_be_visible()
    snap(page, "33-desk-appointment")

    # The keyboard alternative to dragging: "Cambiar fecha", then Enter on a slot.
    panel.get_by_role("button", name="Cambiar fecha").click()
    expect(panel.locator(".time-picker")).to_have_attribute("aria-busy", "false")
    slot = panel.locator("button.time").nth(3)
    slot.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("status")).to_contain_text("Cita cambiada al")
    again = world.ok("GET", f"/api/appointments/{booked['id']}")
    assert again["starts_at"] != moved["starts_at"] and again["status"] == "booked"

    panel.get_by_role("button", name="Anular cita").click()
    panel.get_by_role("button", name="Sí, anular").click()  # a destructive action asks first
    expect(panel.get_by_role("status")).to_contain_text("Cita anulada.")
    assert world.ok("GET", f"/api/appointments/{booked['id']}")["status"] == "cancelled"
    panel.get_by_role("button", name="Cerrar").click()
    expect(page.locator(".rbc-event", has_text=world.walk_in["full_name"])).to_have_count(0)


def test_admin_screens(page: Page, world):
    sign_in(page, world.admin_email, "Administración")
    expect(page.get_by_role("cell", name=world.clinic["name"], exact=True)).to_be_visible()
    page.get_by_label("Nombre", exact=True).last.fill(f"Clínica Norte {world.tag[:4]}")
    page.get_by_label("Zona horaria").last.fill("Atlantic/Canary")  # a searchable field now (issue 18)
    page.get_by_role("button", name="Crear").click()
    expect(page.get_by_role("cell", name=f"Clínica Norte {world.tag[:4]}", exact=True)).to_be_visible()
    assert any(c["timezone"] == "Atlantic/Canary" for c in world.ok("GET", "/api/clinics"))
    snap(page, "40-admin-clinics")
    for tab, shot, visible in (
        ("Servicios", "41-admin-services", "Consulta general"),
        ("Médicos", "42-admin-doctors", world.doctor["full_name"]),
        ("Usuarios", "43-admin-users", "Rosa Recepción"),
    ):
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("cell", name=visible, exact=True).first).to_be_visible()
        snap(page, shot)


@pytest.mark.parametrize("browser_zone", ["America/Los_Angeles", "Europe/Madrid"])
def test_dst_week_in_madrid_renders_at_clinic_wall_clock_in_any_browser_zone(page: Page, world, browser_zone):
    """The real time picker in real Chromium: the days around 2027-03-28 (Madrid springs forward)."""
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == browser_zone
    sign_in(page, world.email("lucia"), "Pedir cita")
    page.get_by_role("button", name=f"Ver huecos: {world.doctor['full_name']}").click()
    picker = page.locator(".time-picker")
    friday_column = page.get_by_role("region", name="vie 26 de mar")
    expect(picker).to_have_attribute("aria-busy", "false")
    for _ in range(40):
        if friday_column.count():
            break
        page.get_by_role("button", name="Días siguientes").click()
        expect(picker).to_have_attribute("aria-busy", "false")
    expect(friday_column).to_be_visible()
    friday = page.get_by_role("button", name="vie 26 de mar, 09:00", exact=True)
    expect(friday).to_be_visible()
    sunday_column = page.get_by_role("region", name="dom 28 de mar")
    if not sunday_column.count():  # five days a page: the Sunday may be on the next one
        page.get_by_role("button", name="Días siguientes").click()
    sunday = page.get_by_role("button", name="dom 28 de mar, 09:00", exact=True)
    expect(sunday).to_be_visible()
    # Clinic hours 08:00-20:00 on both sides of the change, whatever the browser's zone.
    sunday_times = [t.split(", ")[-1] for t in sunday_column.get_by_role("button").all_text_contents()]
    assert sunday_times[0] == "08:00" and sunday_times[-1] == "19:30" and len(sunday_times) == 24
    note = page.get_by_text("Horas de la clínica (Europe/Madrid)")
    expect(note).to_have_count(0 if browser_zone == "Europe/Madrid" else 1)
    # The API agrees: the Sunday slot is 07:00 UTC (CEST), the Friday one 08:00 UTC (CET).
    slots = world.ok(
        "GET", f"/api/doctors/{world.doctor['id']}/slots?service_id={world.service['id']}&from=2027-03-26&to=2027-03-28"
    )["slots"]
    starts = {s["starts_at"] for s in slots}
    assert {"2027-03-26T09:00:00+01:00", "2027-03-28T09:00:00+02:00"} <= starts
    snap(page, "13-book-dst-week-browser-in-" + browser_zone.split("/")[1].lower())


def _first_email(world, address: str, subject: str, timeout: float = 20.0) -> dict:
    """The first email to `address` whose subject starts with `subject` (the two paths, HTTP API and SMTP,
    deliver in either order)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in world.system.mail.to(address) if e["subject"].startswith(subject)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no email {subject!r}; got {[e['subject'] for e in world.system.mail.to(address)]}")
