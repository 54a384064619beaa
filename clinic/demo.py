"""Demo data for `flask --app web seed-demo`: two clinics in different time zones, doctors, services,
patients and weeks of past and future appointments. Running it again skips what already exists.

What a visitor sees should look like a clinic on an ordinary day: the demo patient has a handful of visits
(upcoming and past), records hold allergies, conditions, medications and notes, and the Madrid doctors still
have a few of today's and yesterday's appointments to mark (Madrid records attendance by hand: its automatic
no-show processing is off; Mexico City's is on, and its past is all marked). Nothing floods the mailbox at
start: every reminder and today's agendas that would already have gone out count as sent."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from clinic import demo_store as store
from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.availability import engine
from clinic.availability.service import zone
from clinic.identity import passwords
from clinic.identity import service as accounts
from clinic.identity.models import User
from clinic.records.models import MedicalRecord, RecordEntry, RecordVersion
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours
from clinic.settings import Settings

DEMO_PASSWORD = "Demo-Clinic-2026"

CLINICS = [
    ("Clínica Central Madrid", "Europe/Madrid", "Calle de Alcalá 120, 28009 Madrid, España", "+34 915 550 120"),
    (
        "Clínica Roma Norte",
        "America/Mexico_City",
        "Calle Colima 160, Roma Norte, 06700 Ciudad de México, México",
        "+52 55 5555 0160",
    ),
]
# name, minutes, buffer
SERVICES = [
    ("Consulta general", 20, 0),
    ("Revisión", 30, 10),
    ("Primera visita especialista", 45, 15),
    ("Ecocardiograma", 60, 15),
    ("Consulta pediátrica", 30, 5),
    ("Revisión dermatológica", 20, 5),
]
MORNING_AFTERNOON = [(time(9), time(14)), (time(16), time(19))]
MORNING = [(time(8), time(15))]
# email, name, specialty, clinic index, services, weekdays, hours
DOCTORS = [
    (
        "carmen.ruiz@demo.clinic",
        "Dra. Carmen Ruiz",
        "Cardiología",
        0,
        ["Primera visita especialista", "Revisión", "Ecocardiograma"],
        range(5),
        MORNING_AFTERNOON,
    ),
    (
        "javier.moreno@demo.clinic",
        "Dr. Javier Moreno",
        "Medicina general",
        0,
        ["Consulta general", "Revisión"],
        range(6),
        MORNING,
    ),
    (
        "elena.navarro@demo.clinic",
        "Dra. Elena Navarro",
        "Dermatología",
        0,
        ["Revisión dermatológica", "Primera visita especialista"],
        (0, 2, 4),
        MORNING_AFTERNOON,
    ),
    (
        "alejandro.hernandez@demo.clinic",
        "Dr. Alejandro Hernández",
        "Pediatría",
        1,
        ["Consulta pediátrica", "Revisión"],
        range(5),
        MORNING,
    ),
    (
        "sofia.ramirez@demo.clinic",
        "Dra. Sofía Ramírez",
        "Medicina general",
        1,
        ["Consulta general", "Revisión"],
        range(6),
        MORNING_AFTERNOON,
    ),
    (
        "diego.castillo@demo.clinic",
        "Dr. Diego Castillo",
        "Cardiología",
        1,
        ["Primera visita especialista", "Ecocardiograma"],
        (1, 3),
        MORNING_AFTERNOON,
    ),
]
PATIENTS = [
    "Lucía García",
    "Hugo Fernández",
    "Martina López",
    "Mateo Martínez",
    "Sofía Sánchez",
    "Leo Pérez",
    "Valeria Gómez",
    "Daniel Martín",
    "Julia Jiménez",
    "Pablo Ruiz",
    "Ximena Hernández",
    "Santiago Díaz",
    "Regina Torres",
    "Emiliano Flores",
    "Camila Rivera",
    "Sebastián Morales",
    "Renata Vargas",
    "Diego Romero",
    "Paula Castro",
    "Adrián Ortega",
]
REASONS = [
    None,
    "Control anual",
    "Dolor de cabeza",
    "Revisión de análisis",
    "Seguimiento",
    "Tos persistente",
    "Mancha en la piel",
    "Palpitaciones",
    "Vacunación",
]
WEEKS_BACK, WEEKS_AHEAD = 3, 4
DEMO_PATIENT = "paciente@demo.clinic"
# The demo patient's own visits: (doctor index, service, days from today, local hour, minute, reason, status
# for a past one). Fixed, so the screens show a believable history rather than a random crowd.
DEMO_VISITS = [
    (1, "Consulta general", -60, 9, 0, "Tos persistente", "completed"),
    (0, "Primera visita especialista", -41, 10, 0, "Palpitaciones", "completed"),
    (0, "Ecocardiograma", -27, 12, 0, "Seguimiento", "completed"),
    (2, "Revisión dermatológica", -13, 17, 0, "Mancha en la piel", "no_show"),
    (1, "Revisión", -4, 11, 0, "Revisión de análisis", "completed"),
    (0, "Revisión", 6, 10, 0, "Control anual", None),
    (2, "Revisión dermatológica", 16, 16, 30, None, None),
    (1, "Consulta general", 30, 9, 30, "Vacunación", None),
]
# Allergies, conditions, medications and a note per past visit, for the demo patient and a few others.
RECORDS = {
    DEMO_PATIENT: (
        ["Penicilina", "Ácaros del polvo"],
        ["Hipertensión arterial leve", "Rinitis alérgica"],
        ["Enalapril 10 mg, 1 al día", "Cetirizina 10 mg si hay síntomas"],
    ),
    "paciente01@demo.clinic": (["Ibuprofeno"], ["Asma leve intermitente"], ["Salbutamol inhalado a demanda"]),
    "paciente02@demo.clinic": ([], ["Diabetes tipo 2"], ["Metformina 850 mg, 2 al día"]),
    "paciente03@demo.clinic": (["Látex"], ["Hipotiroidismo"], ["Levotiroxina 75 µg en ayunas"]),
    "paciente04@demo.clinic": ([], ["Migraña sin aura"], ["Sumatriptán 50 mg si hay crisis"]),
    "paciente05@demo.clinic": (["Frutos secos"], ["Dermatitis atópica"], ["Crema emoliente, 2 veces al día"]),
}
NOTES = [
    "Exploración sin hallazgos relevantes. Tensión arterial 128/82. Se mantiene el tratamiento.",
    "Refiere mejoría de los síntomas. Auscultación normal. Control en tres meses.",
    "Se solicitan análisis de sangre (hemograma, perfil lipídico, TSH). Revisar resultados en la próxima visita.",
    "ECG en ritmo sinusal, sin alteraciones de la repolarización. Ecocardiograma programado.",
    "Lesión pigmentada de 4 mm, bordes regulares. Se recomienda fotoprotección y seguimiento anual.",
    "Tos de dos semanas sin fiebre. Radiografía de tórax normal. Tratamiento sintomático.",
]
# How many of a Madrid doctor's latest past appointments stay `booked`, waiting for the doctor to mark them.
LEFT_TO_MARK = 3


def seed(session: Session, *, now: datetime | None = None, settings: Settings | None = None) -> list[str]:
    """Create the demo (skipping what exists) and return the login lines to print. `settings` gives the
    reminder offsets and agenda hour whose emails count as already sent (default: the environment's)."""
    now = now or datetime.now(timezone.utc)
    offsets = list(settings.reminder_offsets_minutes) if settings else list(Settings.reminder_offsets_minutes)
    agenda_hour = settings.agenda_hour if settings else Settings.agenda_hour
    logins = []
    for role, email, name in (
        ("admin", "admin@demo.clinic", "Admin Demo"),
        ("receptionist", "recepcion@demo.clinic", "Recepción Demo"),
        ("patient", "paciente@demo.clinic", "Lucía Paciente"),
    ):
        if accounts.find_by_email(session, email) is None:
            accounts.create_user(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role)
        logins.append(f"{role:<13} {email} / {DEMO_PASSWORD}")
    logins.append(f"{'doctor':<13} {DOCTORS[0][0]} / {DEMO_PASSWORD}  (and the other *@demo.clinic doctors)")
    if store.clinic_exists(session, name=CLINICS[0][0]):
        return logins  # already seeded: leave the data as it is
    _seed_calendar(session, now)
    _mark_already_sent(session, now, offsets, agenda_hour)
    return logins


def _seed_calendar(session: Session, now: datetime) -> None:
    rng = random.Random(2026)
    password_hash = passwords.hash_password(DEMO_PASSWORD)  # hash once: bcrypt is slow on purpose
    # Madrid's doctors mark attendance themselves (some past appointments wait for them); Mexico City's
    # clinic lets the system mark no-shows.
    clinics = [
        Clinic(name=n, timezone=tz, address=a, phone=p, noshow_processing=(i != 0))
        for i, (n, tz, a, p) in enumerate(CLINICS)
    ]
    services = {n: Service(name=n, duration_minutes=m, buffer_minutes=b) for n, m, b in SERVICES}
    session.add_all(clinics + list(services.values()))
    session.flush()
    doctors = []
    for email, name, specialty, clinic_index, service_names, weekdays, hours in DOCTORS:
        user = _user(session, email, name, "doctor", password_hash)
        doctor = Doctor(user_id=user.id, clinic_id=clinics[clinic_index].id, specialty=specialty)
        doctor.services = [services[s] for s in service_names]
        session.add(doctor)
        session.flush()
        session.add_all(
            [WorkingHours(doctor_id=doctor.id, weekday=d, start_time=s, end_time=e) for d in weekdays for s, e in hours]
        )
        doctors.append((doctor, clinics[clinic_index], [services[s] for s in service_names], weekdays, hours))
    demo_patient = accounts.find_by_email(session, DEMO_PATIENT)
    patients = []  # the demo patient gets its own handful of visits below, not a random share of hundreds
    for i, name in enumerate(PATIENTS):
        email = f"paciente{i + 1:02d}@demo.clinic"
        patients.append(_user(session, email, name, "patient", password_hash))
    session.flush()
    receptionist = accounts.find_by_email(session, "recepcion@demo.clinic")
    busy: dict = {}  # patient id (or ("doctor", id)) -> the intervals already taken
    _seed_demo_patient(session, now, doctors, services, demo_patient, receptionist.id, busy)
    for doctor, clinic, offered, weekdays, hours in doctors:
        _seed_appointments(session, rng, now, doctor, clinic, offered, weekdays, hours, patients, busy, receptionist.id)
    session.flush()
    _leave_some_to_mark(session, now, [d for d, c, *_ in doctors if not c.noshow_processing])
    _seed_records(session, rng, now, doctors)
    session.flush()


def _seed_demo_patient(session, now, doctors, services, patient, receptionist_id, busy) -> None:
    """The demo patient's fixed visits, placed first so the random filling works around them."""
    for index, service_name, days, hour, minute, reason, past_status in DEMO_VISITS:
        doctor, clinic, _offered, weekdays, hours = doctors[index]
        tz = zone(clinic.timezone)
        day = now.astimezone(tz).date() + timedelta(days=days)
        while day.weekday() not in weekdays:  # the nearest later working day of that doctor
            day += timedelta(days=1)
        starts_at = datetime.combine(day, time(hour, minute), tz).astimezone(timezone.utc)
        service = services[service_name]
        ends_at = starts_at + timedelta(minutes=service.duration_minutes)
        status = past_status if ends_at < now else "booked"
        appointment = Appointment(
            doctor_id=doctor.id,
            patient_id=patient.id,
            service_id=service.id,
            clinic_id=clinic.id,
            starts_at=starts_at,
            ends_at=ends_at,
            blocked_until=ends_at + timedelta(minutes=service.buffer_minutes),
            status=status,
            reason=reason,
            sequence=1 if status != "booked" else 0,
            created_by=patient.id,
            scheduled_at=min(starts_at, now) - timedelta(days=10),
        )
        session.add(appointment)
        session.flush()
        busy.setdefault(("doctor", doctor.id), []).append((starts_at, appointment.blocked_until))
        session.add(
            AppointmentHistory(
                appointment_id=appointment.id,
                actor_id=patient.id,
                action="booked",
                at=appointment.scheduled_at,
                new_starts_at=starts_at,
            )
        )
        if status != "booked":
            session.add(
                AppointmentHistory(
                    appointment_id=appointment.id,
                    actor_id=doctor.user_id,
                    action="attendance",
                    at=ends_at,
                    details={"status": status},
                )
            )
    session.flush()


def _leave_some_to_mark(session, now, doctors) -> None:
    """The latest past appointments of these doctors go back to `booked`: attendance the doctor still has to
    record (today's and yesterday's), as on any real morning."""
    for doctor in doctors:
        latest = store.latest_ended(
            session, doctor_id=doctor.id, after=now - timedelta(days=3), before=now, limit=LEFT_TO_MARK
        )
        for appointment in latest:
            appointment.status, appointment.sequence = "booked", 0
            store.forget_attendance(session, appointment_id=appointment.id)


def _seed_records(session, rng, now, doctors) -> None:
    """Records with content: lists for a few patients, and a note for each of their attended visits."""
    doctor_users = {d.id: d.user_id for d, *_ in doctors}
    for email, (allergies, conditions, medications) in RECORDS.items():
        patient = accounts.find_by_email(session, email)
        visits = store.completed_visits(session, patient_id=patient.id, before=now)
        author = doctor_users[visits[0].doctor_id] if visits else next(iter(doctor_users.values()))
        session.add(MedicalRecord(patient_id=patient.id, current_version=1))
        session.flush()
        session.add(
            RecordVersion(
                patient_id=patient.id,
                version=1,
                allergies=allergies,
                conditions=conditions,
                medications=medications,
                author_id=author,
                created_at=visits[0].ends_at if visits else now,
            )
        )
        for visit in visits:
            session.add(
                RecordEntry(
                    patient_id=patient.id,
                    appointment_id=visit.id,
                    author_id=doctor_users[visit.doctor_id],
                    text=rng.choice(NOTES),
                    created_at=visit.ends_at + timedelta(minutes=5),
                )
            )


def _mark_already_sent(session: Session, now: datetime, offsets: list[int], agenda_hour: int) -> None:
    """The reminders and agendas the scheduler's first sweep would find count as sent: a demo that "has been
    running" sent them long ago, and a fresh start sends nothing at once."""
    store.mark_due_as_sent(session, now=now, offsets=offsets, agenda_hour=agenda_hour)


def _user(session: Session, email: str, name: str, role: str, password_hash: str) -> User:
    user = accounts.find_by_email(session, email)
    if user is None:
        user = User(email=email, password_hash=password_hash, full_name=name, role=role)
        session.add(user)
        session.flush()
    return user


def _seed_appointments(
    session, rng, now, doctor, clinic, offered, weekdays, hours, patients, busy, receptionist_id
) -> None:
    """Fill about half of each working day's slots, from WEEKS_BACK weeks ago to WEEKS_AHEAD weeks ahead."""
    tz = zone(clinic.timezone)
    today = now.astimezone(tz).date()
    day = today - timedelta(weeks=WEEKS_BACK)
    seconds = [(s.hour * 3600 + s.minute * 60, e.hour * 3600 + e.minute * 60) for s, e in hours]
    while day <= today + timedelta(weeks=WEEKS_AHEAD):
        if day.weekday() in weekdays:
            for start, end in engine.local_day_bounds(tz, day, seconds):
                _fill_interval(session, rng, now, doctor, clinic, offered, start, end, patients, busy, receptionist_id)
        day += timedelta(days=1)


def _fill_interval(session, rng, now, doctor, clinic, offered, start, end, patients, busy, receptionist_id):
    t = start
    while t < end:
        service = rng.choice(offered)
        length = service.duration_minutes * 60
        if t + length > end:
            break
        starts_at = datetime.fromtimestamp(t, timezone.utc)
        ends_at = starts_at + timedelta(seconds=length)
        around_now = now - timedelta(hours=2) < ends_at and starts_at < now + timedelta(hours=2)
        blocked = ends_at + timedelta(minutes=service.buffer_minutes)
        reserved = any(s < blocked and starts_at < e for s, e in busy.get(("doctor", doctor.id), ()))
        patient = (
            None
            if around_now or reserved or rng.random() < 0.5
            else _free_patient(rng, patients, busy, starts_at, ends_at)
        )
        if patient is not None:
            _add(session, rng, now, doctor, clinic, service, patient, starts_at, ends_at, receptionist_id)
            busy.setdefault(patient.id, []).append((starts_at, ends_at))
            t += length + service.buffer_minutes * 60
        else:
            t += length
        # Realign to the five-minute grid every slot rule would accept for the next service.
        t = start + -(-(t - start) // 300) * 300


def _free_patient(rng, patients, busy, starts_at, ends_at):
    for _ in range(5):
        patient = rng.choice(patients)
        if all(e <= starts_at or s >= ends_at for s, e in busy.get(patient.id, ())):
            return patient
    return None


def _add(session, rng, now, doctor, clinic, service, patient, starts_at, ends_at, receptionist_id) -> None:
    past = ends_at < now
    status = ("no_show" if rng.random() < 0.12 else "completed") if past else "booked"
    appointment = Appointment(
        doctor_id=doctor.id,
        patient_id=patient.id,
        service_id=service.id,
        clinic_id=clinic.id,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at + timedelta(minutes=service.buffer_minutes),
        status=status,
        reason=rng.choice(REASONS),
        sequence=1 if past else 0,
        created_by=receptionist_id,
        scheduled_at=starts_at - timedelta(days=rng.randint(3, 20)),
    )
    session.add(appointment)
    session.flush()
    session.add(
        AppointmentHistory(
            appointment_id=appointment.id,
            actor_id=receptionist_id,
            action="booked",
            at=appointment.scheduled_at,
            new_starts_at=starts_at,
        )
    )
    if past:
        session.add(
            AppointmentHistory(
                appointment_id=appointment.id,
                actor_id=doctor.user_id,
                action="attendance",
                at=ends_at,
                details={"status": status},
            )
        )
