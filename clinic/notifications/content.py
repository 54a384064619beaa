"""What each email says, in Spanish (default) or English. No clinical details, ever (no reason, no notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from clinic.calendars import links
from clinic.wallclock import hhmm

DAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

TEXTS = {
    "es": {
        "confirmation": ("Cita confirmada: {when}", "Tu cita está confirmada."),
        "rescheduled": ("Cita cambiada: {when}", "Tu cita ha cambiado de hora. La nueva hora es la de abajo."),
        "cancelled": ("Cita cancelada: {when}", "Tu cita ha sido cancelada."),
        "reminder": ("Recordatorio de tu cita: {when}", "Te recordamos tu próxima cita."),
        "noshow": ("Te echamos de menos en tu cita", "No pudimos atenderte en tu cita. Si quieres, pide otra."),
        "waitlist_offer": (
            "Hay un hueco libre: {when}",
            "Se ha liberado una cita que buscabas. La guardamos para ti hasta las {until}.",
        ),
        "agenda": ("Tu agenda del {day}", "Estas son tus citas de hoy:"),
        "when": "Cuándo",
        "where": "Dónde",
        "doctor": "Profesional",
        "service": "Servicio",
        "manage": "Gestiona tu cita",
        "rebook": "Pide una nueva cita",
        "book": "Reserva el hueco",
        "see": "Ver la cita",
        "cancel_reason": "Motivo",
        "greeting": "Hola, {name}:",
        "cause_time_off": "El profesional no estará disponible a esa hora.",
        "cause_doctor_deactivated": "El profesional ya no pasa consulta en este centro.",
        "none": "No tienes citas hoy.",
        "how_to_cancel": "Para cambiarla o cancelarla, usa el enlace «Gestiona tu cita» o la aplicación de la "
        "clínica. Responder «No» en tu calendario no cancela la cita.",
        "add_google": "Añadir a Google Calendar",
        "add_outlook": "Añadir a Outlook.com",
        "ics_attached": "Para otros calendarios, abre el archivo invite.ics adjunto.",
    },
    "en": {
        "confirmation": ("Appointment confirmed: {when}", "Your appointment is confirmed."),
        "rescheduled": ("Appointment moved: {when}", "Your appointment has moved. The new time is below."),
        "cancelled": ("Appointment cancelled: {when}", "Your appointment has been cancelled."),
        "reminder": ("Reminder of your appointment: {when}", "This is a reminder of your upcoming appointment."),
        "noshow": (
            "We missed you at your appointment",
            "We could not see you at your appointment. You can book another one.",
        ),
        "waitlist_offer": (
            "A slot has freed up: {when}",
            "An appointment you were waiting for is free. We are holding it for you until {until}.",
        ),
        "agenda": ("Your agenda for {day}", "These are today's appointments:"),
        "when": "When",
        "where": "Where",
        "doctor": "Doctor",
        "service": "Service",
        "manage": "Manage your appointment",
        "rebook": "Book a new appointment",
        "book": "Book this slot",
        "see": "See the appointment",
        "cancel_reason": "Reason",
        "greeting": "Hello {name},",
        "cause_time_off": "The doctor is not available at that time.",
        "cause_doctor_deactivated": "The doctor no longer sees patients at this clinic.",
        "none": "You have no appointments today.",
        "how_to_cancel": 'To change or cancel it, use the "Manage your appointment" link or the clinic\'s app. '
        'Answering "No" in your calendar does not cancel the appointment.',
        "add_google": "Add to Google Calendar",
        "add_outlook": "Add to Outlook.com",
        "ics_attached": "For any other calendar, open the attached invite.ics file.",
    },
}


def locale_of(value: str | None) -> str:
    return value if value in TEXTS else "es"


def in_language(url: str, locale: str | None) -> str:
    """A link to the app that opens in the email's language (`?lang=`), whatever the browser was set to."""
    return f"{url}{'&' if '?' in url else '?'}lang={locale_of(locale)}"


def local_time(at: datetime, zone: str, locale: str) -> str:
    """`lunes 29 de marzo de 2027, 09:00 (Europe/Madrid)` / `Monday 29 March 2027, 09:00 (Europe/Madrid)`;
    in a fall-back night's repeated hour the time says which one: `02:00 CEST` or `02:00 CET`."""
    t = at.astimezone(ZoneInfo(zone))
    locale = locale_of(locale)
    day, month = DAYS[locale][t.weekday()], MONTHS[locale][t.month - 1]
    if locale == "es":
        return f"{day} {t.day} de {month} de {t.year}, {hhmm(t)} ({zone})"
    return f"{day} {t.day} {month} {t.year}, {hhmm(t)} ({zone})"


def local_day(d: date, locale: str) -> str:
    locale = locale_of(locale)
    if locale == "es":
        return f"{DAYS['es'][d.weekday()]} {d.day} de {MONTHS['es'][d.month - 1]}"
    return f"{DAYS['en'][d.weekday()]} {d.day} {MONTHS['en'][d.month - 1]}"


@dataclass(frozen=True)
class EmailFacts:
    """The facts an appointment email may show."""

    appointment_id: int
    patient_name: str
    patient_email: str
    locale: str
    starts_at: datetime
    zone: str
    clinic_name: str
    clinic_address: str | None
    doctor_name: str
    service_name: str
    doctor_id: int
    service_id: int
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def appointment_email(
    kind: str,
    view: EmailFacts,
    *,
    public_url: str,
    cause: str | None = None,
    until: datetime | None = None,
    link: str | None = None,
    manage_link: str | None = None,
    note: str | None = None,
) -> Email:
    """Confirmation, rescheduled, cancelled, reminder, noshow or waitlist_offer.

    `manage_link` is the appointment's no-sign-in link (`PUBLIC_URL/a/<token>`, clinic.manage): the action
    of the confirmation, change and reminder emails, and a second action of the cancellation (to see it);
    for an offer, `link` accepts it in one tap. The invitation emails (confirmation, rescheduled) say how to
    change or cancel the appointment, since the calendar's own "No" does not; the confirmation also offers
    Google and Outlook.com links."""
    words = TEXTS[locale_of(view.locale)]
    when = local_time(view.starts_at, view.zone, view.locale)
    subject, lead = words[kind]
    subject = subject.format(when=when)
    if until is not None:
        lead = lead.format(until=local_time(until, view.zone, view.locale))
    if kind in ("cancelled", "noshow"):
        label = words["rebook"]
        link = link or f"{public_url}/book?doctor_id={view.doctor_id}&service_id={view.service_id}"
    elif kind == "waitlist_offer":
        label = words["book"]
    else:
        label = words["manage"]
        link = manage_link or link or f"{public_url}/appointments/{view.appointment_id}"
    place = view.clinic_name + (f", {view.clinic_address}" if view.clinic_address else "")
    lines = [words["greeting"].format(name=view.patient_name), "", lead]
    if cause and f"cause_{cause}" in words:
        lines.append(words[f"cause_{cause}"])
    if note and note.strip():
        lines.append(f"{words['cancel_reason']}: {note.strip()}")
    lines += [
        "",
        f"{words['when']}: {when}",
        f"{words['where']}: {place}",
        f"{words['doctor']}: {view.doctor_name}",
        f"{words['service']}: {view.service_name}",
    ]
    link = in_language(link, view.locale)
    actions = [(label, link)]
    if kind == "cancelled" and manage_link:
        actions.append((words["see"], in_language(manage_link, view.locale)))
    notes = []
    if kind in ("confirmation", "rescheduled"):
        notes.append(words["how_to_cancel"])
    if kind == "confirmation" and view.ends_at is not None:
        actions += _calendar_links(words, view, place, link)
        notes.append(words["ics_attached"])
    text = "\n".join(lines + [""] + [f"{name}: {url}" for name, url in actions] + ([""] + notes if notes else []))
    return Email(to=view.patient_email, subject=subject, text=text, html=_html(lines, actions, notes))


def _calendar_links(words: dict, view: EmailFacts, place: str, link: str) -> list[tuple[str, str]]:
    """The event for calendars that do not act on the invitation: the invite's title and place, and the
    manage link; no service name (nothing clinical goes into a third party's calendar)."""
    urls = links.for_appointment(
        locale=locale_of(view.locale),
        clinic_name=view.clinic_name,
        doctor_name=view.doctor_name,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        where=place,
        zone=view.zone,
        manage_link=link,
    )
    return [(words["add_google"], urls["google"]), (words["add_outlook"], urls["outlook"])]


def agenda_email(
    *,
    doctor_name: str,
    doctor_email: str,
    locale: str,
    day: date,
    zone: str,
    rows: list[tuple[datetime, str, str]],
    public_url: str,
) -> Email:
    """The doctor's day: (start, patient name, service name) rows in local time."""
    words = TEXTS[locale_of(locale)]
    subject, lead = words["agenda"]
    subject = subject.format(day=local_day(day, locale))
    items = [f"{hhmm(start.astimezone(ZoneInfo(zone)))}  {patient} — {service}" for start, patient, service in rows]
    lines = [words["greeting"].format(name=doctor_name), "", lead, f"({zone})", ""] + (items or [words["none"]])
    link = in_language(f"{public_url}/agenda", locale)
    return Email(
        to=doctor_email, subject=subject, text="\n".join(lines + ["", link]), html=_html(lines, [("Agenda", link)])
    )


def _html(lines: list[str], actions: list[tuple[str, str]], notes: tuple[str, ...] | list[str] = ()) -> str:
    body = "".join(f"<p>{escape(line)}</p>" if line else "" for line in lines)
    body += "".join(f'<p><a href="{escape(url, quote=True)}">{escape(name)}</a></p>' for name, url in actions)
    body += "".join(f"<p>{escape(note)}</p>" for note in notes)
    return f"<div>{body}</div>"
