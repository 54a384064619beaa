"""Clinics and services (appointment types)."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.scheduling import service as scheduling
from web import database
from web.access import ANYONE, access, current_actor
from web.extensions import spec
from web.schemas.common import ErrorOut
from web.schemas.scheduling import (
    ClinicIn,
    ClinicList,
    ClinicOut,
    ClinicPatch,
    ServiceIn,
    ServiceList,
    ServiceOut,
    ServicePatch,
)

bp = Blueprint("clinics", __name__, url_prefix="/api")
SECURITY = {"bearer": []}


def _out(clinic) -> ClinicOut:
    hours = current_app.config["SETTINGS"].patient_change_cutoff_hours
    return ClinicOut(
        id=clinic.id,
        name=clinic.name,
        timezone=clinic.timezone,
        address=clinic.address,
        phone=clinic.phone,
        change_cutoff_hours=hours,
    )


@bp.post("/clinics")
@access("admin")
@database.unit_of_work()
@spec.validate(json=ClinicIn, resp=Response(HTTP_201=ClinicOut, HTTP_422=ErrorOut), tags=["clinics"], security=SECURITY)
def create_clinic():
    """Create a clinic in an IANA time zone (admins)."""
    body: ClinicIn = request.context.json
    clinic = scheduling.create_clinic(
        database.session(), name=body.name, timezone=body.timezone, address=body.address, phone=body.phone
    )
    return _out(clinic), 201


@bp.get("/clinics")
@access(ANYONE)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=ClinicList), tags=["clinics"], security=SECURITY)
def list_clinics():
    """Every clinic, with its address and phone (anyone: browsing needs no account)."""
    return ClinicList([_out(c) for c in scheduling.list_clinics(database.session())])


@bp.patch("/clinics/<int:clinic_id>")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=ClinicPatch,
    resp=Response(HTTP_200=ClinicOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=["clinics"],
    security=SECURITY,
)
def update_clinic(clinic_id: int):
    """Change a clinic's name, address or time zone (admins)."""
    body: ClinicPatch = request.context.json
    changes = {
        k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in ("address", "phone")
    }
    clinic = scheduling.update_clinic(database.session(), clinic_id=clinic_id, changes=changes)
    return _out(clinic)


@bp.post("/services")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=ServiceIn, resp=Response(HTTP_201=ServiceOut, HTTP_422=ErrorOut), tags=["services"], security=SECURITY
)
def create_service():
    """Create an appointment type: duration and buffer after it (admins)."""
    body: ServiceIn = request.context.json
    service = scheduling.create_service(
        database.session(), name=body.name, duration_minutes=body.duration_minutes, buffer_minutes=body.buffer_minutes
    )
    return ServiceOut.model_validate(service), 201


@bp.get("/services")
@access(ANYONE)
@database.unit_of_work(reads_only=True)
@spec.validate(resp=Response(HTTP_200=ServiceList), tags=["services"], security=SECURITY)
def list_services():
    """Services on offer (anyone; staff also see retired ones)."""
    services = scheduling.list_services(database.session(), include_inactive=current_actor().is_staff)
    return ServiceList([ServiceOut.model_validate(s) for s in services])


@bp.patch("/services/<int:service_id>")
@access("admin")
@database.unit_of_work()
@spec.validate(
    json=ServicePatch,
    resp=Response(HTTP_200=ServiceOut, HTTP_404=ErrorOut, HTTP_422=ErrorOut),
    tags=["services"],
    security=SECURITY,
)
def update_service(service_id: int):
    """Rename, change duration/buffer (applies to new bookings) or retire a service (admins)."""
    body: ServicePatch = request.context.json
    service = scheduling.update_service(
        database.session(), service_id=service_id, changes=body.model_dump(exclude_unset=True, exclude_none=True)
    )
    return ServiceOut.model_validate(service)
