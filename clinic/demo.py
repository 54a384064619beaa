"""Demo data for `flask --app web seed-demo`: two clinics in different time zones, doctors, services,
patients and weeks of past and future appointments. Running it again skips what already exists."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.appointments.models import Appointment, AppointmentHistory
from clinic.availability import engine
from clinic.availability.service import zone
from clinic.identity import passwords
from clinic.identity import service as accounts
from clinic.identity.models import User
from clinic.scheduling.models import Clinic, Doctor, Service, WorkingHours

DEMO_PASSWORD = "Demo-Clinic-2026"

CLINICS = [
    ("Clínica Central Madrid", "Europe/Madrid", "Calle de Alcalá 120, 28009 Madrid, España"),
    ("Clínica Roma Norte", "America/Mexico_City", "Calle Colima 160, Roma Norte, 06700 Ciudad de México, México"),
]
# name, minutes, buffer
SERVICES = [
    ("Consulta general", 20, 0), ("Revisión", 30, 10), ("Primera visita especialista", 45, 15),
    ("Ecocardiograma", 60, 15), ("Consulta pediátrica", 30, 5), ("Revisión dermatológica", 20, 5),
]
MORNING_AFTERNOON = [(time(9), time(14)), (time(16), time(19))]
MORNING = [(time(8), time(15))]
# email, name, specialty, clinic index, services, weekdays, hours
DOCTORS = [
    ("carmen.ruiz@demo.clinic", "Dra. Carmen Ruiz", "Cardiología", 0, ["Primera visita especialista", "Revisión",
                                                                        "Ecocardiograma"], range(5), MORNING_AFTERNOON),
    ("javier.moreno@demo.clinic", "Dr. Javier Moreno", "Medicina general", 0, ["Consulta general", "Revisión"],
     range(6), MORNING),
    ("elena.navarro@demo.clinic", "Dra. Elena Navarro", "Dermatología", 0, ["Revisión dermatológica",
                                                                            "Primera visita especialista"],
     (0, 2, 4), MORNING_AFTERNOON),
    ("alejandro.hernandez@demo.clinic", "Dr. Alejandro Hernández", "Pediatría", 1, ["Consulta pediátrica",
                                                                                  "Revisión"], range(5), MORNING),
    ("sofia.ramirez@demo.clinic", "Dra. Sofía Ramírez", "Medicina general", 1, ["Consulta general", "Revisión"],
     range(6), MORNING_AFTERNOON),
    ("diego.castillo@demo.clinic", "Dr. Diego Castillo", "Cardiología", 1, ["Primera visita especialista",
                                                                          "Ecocardiograma"], (1, 3), MORNING_AFTERNOON),
]
PATIENTS = [
    "Lucía García", "Hugo Fernández", "Martina López", "Mateo Martínez", "Sofía Sánchez", "Leo Pérez",
    "Valeria Gómez", "Daniel Martín", "Julia Jiménez", "Pablo Ruiz", "Ximena Hernández", "Santiago Díaz",
    "Regina Torres", "Emiliano Flores", "Camila Rivera", "Sebastián Morales", "Renata Vargas", "Diego Romero",
    "Paula Castro", "Adrián Ortega",
]
REASONS = [None, "Control anual", "Dolor de cabeza", "Revisión de análisis", "Seguimiento", "Tos persistente",
           "Mancha en la piel", "Palpitaciones", "Vacunación"]
WEEKS_BACK, WEEKS_AHEAD = 3, 4


def seed(session: Session, *, now: datetime | None = None) -> list[str]:
    """Create the demo (skipping what exists) and return the login lines to print."""
    now = now or datetime.now(timezone.utc)
    logins = []
    for role, email, name in (("admin", "admin@demo.clinic", "Admin Demo"),
                              ("receptionist", "recepcion@demo.clinic", "Recepción Demo"),
                              ("patient", "paciente@demo.clinic", "Lucía Paciente")):
        if accounts.find_by_email(session, email) is None:
            accounts.create_user(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role)
        logins.append(f"{role:<13} {email} / {DEMO_PASSWORD}")
    logins.append(f"{'doctor':<13} {DOCTORS[0][0]} / {DEMO_PASSWORD}  (and the other *@demo.clinic doctors)")
    if session.scalar(select(Clinic.id).where(Clinic.name == CLINICS[0][0])) is not None:
        return logins  # already seeded: leave the data as it is
    _seed_calendar(session, now)
    return logins


def _seed_calendar(session: Session, now: datetime) -> None:
    rng = random.Random(2026)
    password_hash = passwords.hash_password(DEMO_PASSWORD)  # hash once: bcrypt is slow on purpose
    clinics = [Clinic(name=n, timezone=tz, address=a) for n, tz, a in CLINICS]
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
        session.add_all([WorkingHours(doctor_id=doctor.id, weekday=d, start_time=s, end_time=e)
                         for d in weekdays for s, e in hours])
        doctors.append((doctor, clinics[clinic_index], [services[s] for s in service_names], weekdays, hours))
    patients = [accounts.find_by_email(session, "paciente@demo.clinic")]
    for i, name in enumerate(PATIENTS):
        email = f"paciente{i + 1:02d}@demo.clinic"
        patients.append(_user(session, email, name, "patient", password_hash))
    session.flush()
    receptionist = accounts.find_by_email(session, "recepcion@demo.clinic")
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for doctor, clinic, offered, weekdays, hours in doctors:
        _seed_appointments(session, rng, now, doctor, clinic, offered, weekdays, hours, patients, busy,
                           receptionist.id)
    session.flush()


def _user(session: Session, email: str, name: str, role: str, password_hash: str) -> User:
    user = accounts.find_by_email(session, email)
    if user is None:
        user = User(email=email, password_hash=password_hash, full_name=name, role=role)
        session.add(user)
        session.flush()
    return user


def _seed_appointments(session, rng, now, doctor, clinic, offered, weekdays, hours, patients, busy,
                       receptionist_id) -> None:
    """Fill about half of each working day's slots, from WEEKS_BACK weeks ago to WEEKS_AHEAD weeks ahead."""
    tz = zone(clinic.timezone)
    today = now.astimezone(tz).date()
    day = today - timedelta(weeks=WEEKS_BACK)
    seconds = [(s.hour * 3600 + s.minute * 60, e.hour * 3600 + e.minute * 60) for s, e in hours]
    while day <= today + timedelta(weeks=WEEKS_AHEAD):
        if day.weekday() in weekdays:
            for start, end in engine.local_day_bounds(tz, day, seconds):
                _fill_interval(session, rng, now, doctor, clinic, offered, start, end, patients, busy,
                               receptionist_id)
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
        patient = None if around_now or rng.random() < 0.5 else _free_patient(rng, patients, busy, starts_at, ends_at)
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
        doctor_id=doctor.id, patient_id=patient.id, service_id=service.id, clinic_id=clinic.id,
        starts_at=starts_at, ends_at=ends_at, blocked_until=ends_at + timedelta(minutes=service.buffer_minutes),
        status=status, reason=rng.choice(REASONS), sequence=1 if past else 0, created_by=receptionist_id,
        scheduled_at=starts_at - timedelta(days=rng.randint(3, 20)))
    session.add(appointment)
    session.flush()
    session.add(AppointmentHistory(appointment_id=appointment.id, actor_id=receptionist_id, action="booked",
                                   at=appointment.scheduled_at, new_starts_at=starts_at))
    if past:
        session.add(AppointmentHistory(appointment_id=appointment.id, actor_id=doctor.user_id, action="attendance",
                                       at=ends_at, details={"status": status}))
