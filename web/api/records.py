"""Medical records, their audit trail, break-glass access and the patient's data export.

Every record endpoint is open to any signed-in user at the edge: the domain (clinic.records.access) decides
per patient and writes the audit row, so denials are audited too.
"""

from __future__ import annotations

import functools
import uuid

from flask import Blueprint, current_app, request
from spectree import Response

from clinic.clock import utcnow
from clinic.errors import Invalid
from clinic.records import audit
from clinic.records import export as exports
from clinic.records import service as records
from web import database
from web.access import SIGNED_IN, access, current_actor
from web.extensions import spec
from web.schemas.common import ErrorOut
from web.schemas.records import (
    AuditList,
    AuditOut,
    BreakGlassIn,
    BreakGlassOut,
    EntryIn,
    EntryOut,
    ExportOut,
    PatientCardOut,
    RecordOut,
    RecordPatchIn,
    VersionList,
    VersionOut,
)

bp = Blueprint("records", __name__, url_prefix="/api")
TAGS = ["records"]
SECURITY = {"bearer": []}
DENIALS = {"HTTP_403": ErrorOut, "HTTP_404": ErrorOut}


def _who() -> dict:
    """The acting user, the client address (ProxyFix already applied) and the instant, for the domain."""
    return {"actor": current_actor(), "ip": request.remote_addr, "now": utcnow()}


def audited_body(action: str):
    """Put under @access: a body that fails validation is still an attempt on the record, so it is audited
    (as denied when the actor has no access to the record, else as invalid) before the 422 goes out."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(patient_id: int, **kwargs):
            try:
                return view(patient_id=patient_id, **kwargs)
            except Invalid as err:
                if isinstance(err, records.RecordInvalid):  # the service audited it already
                    raise
                records.reject_invalid(database.session(), patient_id=patient_id, action=action, **_who())
                raise records.RecordInvalid(err.message, fields=err.fields) from None

        return wrapper

    return decorate


def _record_out(view: records.RecordView) -> RecordOut:
    patient = PatientCardOut.model_validate(view.patient) if view.patient else None
    return RecordOut(
        patient_id=view.patient_id,
        patient=patient,
        allergies=view.allergies,
        conditions=view.conditions,
        medications=view.medications,
        version=view.version,
        updated_at=view.updated_at,
        updated_by=view.updated_by,
        entries=[EntryOut.model_validate(e) for e in view.entries],
    )


@bp.get("/patients/<int:patient_id>/record")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=RecordOut, **DENIALS), tags=TAGS, security=SECURITY)
def get_record(patient_id: int):
    """The record: that patient, or a doctor with a care relationship (or break-glass access)."""
    return _record_out(records.get_record(database.session(), patient_id=patient_id, **_who()))


@bp.patch("/patients/<int:patient_id>/record")
@access(SIGNED_IN)
@database.unit_of_work()
@audited_body(audit.UPDATE)
@spec.validate(
    json=RecordPatchIn, resp=Response(HTTP_200=RecordOut, HTTP_422=ErrorOut, **DENIALS), tags=TAGS, security=SECURITY
)
def update_record(patient_id: int):
    """Store a new version of allergies, conditions and medications (older versions are kept)."""
    body: RecordPatchIn = request.context.json
    view = records.update_record(
        database.session(),
        patient_id=patient_id,
        allergies=body.allergies,
        conditions=body.conditions,
        medications=body.medications,
        **_who(),
    )
    return _record_out(view)


@bp.post("/patients/<int:patient_id>/record/entries")
@access(SIGNED_IN)
@database.unit_of_work()
@audited_body(audit.ADD_ENTRY)
@spec.validate(
    json=EntryIn, resp=Response(HTTP_201=EntryOut, HTTP_422=ErrorOut, **DENIALS), tags=TAGS, security=SECURITY
)
def add_entry(patient_id: int):
    """Add a clinical entry; `corrects_id` makes it a correction of an earlier one."""
    body: EntryIn = request.context.json
    entry = records.add_entry(
        database.session(),
        patient_id=patient_id,
        text=body.text,
        appointment_id=body.appointment_id,
        corrects_id=body.corrects_id,
        **_who(),
    )
    return EntryOut.model_validate(entry), 201


@bp.get("/patients/<int:patient_id>/record/versions")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=VersionList, **DENIALS), tags=TAGS, security=SECURITY)
def list_versions(patient_id: int):
    """Every version of the record, oldest first, with its author."""
    versions = records.list_versions(database.session(), patient_id=patient_id, **_who())
    return VersionList([VersionOut.model_validate(v, from_attributes=True) for v in versions])


@bp.get("/patients/<int:patient_id>/record/audit")
@access(SIGNED_IN)
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=AuditList, **DENIALS), tags=TAGS, security=SECURITY)
def list_audit(patient_id: int):
    """Every read and write attempt on the record (that patient, admins), break-glass flagged."""
    rows = records.list_audit(database.session(), patient_id=patient_id, **_who())
    return AuditList([AuditOut.model_validate(r, from_attributes=True) for r in rows])


@bp.post("/patients/<int:patient_id>/record/break-glass")
@access(SIGNED_IN)
@database.unit_of_work()
@audited_body(audit.BREAK_GLASS)
@spec.validate(
    json=BreakGlassIn,
    resp=Response(HTTP_201=BreakGlassOut, HTTP_409=ErrorOut, HTTP_422=ErrorOut, **DENIALS),
    tags=TAGS,
    security=SECURITY,
)
def break_glass(patient_id: int):
    """Emergency access for a doctor without a care relationship: time-limited and flagged in the audit."""
    body: BreakGlassIn = request.context.json
    grant = records.break_glass(
        database.session(),
        patient_id=patient_id,
        reason=body.reason,
        minutes=current_app.config["SETTINGS"].break_glass_minutes,
        **_who(),
    )
    return BreakGlassOut.model_validate(grant), 201


def _export_out(export, *, with_document: bool) -> ExportOut:
    return ExportOut(
        id=str(export.id),
        status=export.status,
        requested_at=export.requested_at,
        completed_at=export.completed_at,
        document=export.document if with_document else None,
    )


@bp.post("/me/export")
@access("patient")
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_202=ExportOut), tags=TAGS, security=SECURITY)
def request_export():
    """Ask for everything held about you; fetch it from GET /api/me/export/{id} when ready."""
    export = exports.request_export(database.session(), actor=current_actor(), now=utcnow())
    return _export_out(export, with_document=False), 202


@bp.get("/me/export/<uuid:export_id>")
@access("patient")
@database.unit_of_work()
@spec.validate(resp=Response(HTTP_200=ExportOut, HTTP_404=ErrorOut), tags=TAGS, security=SECURITY)
def get_export(export_id: uuid.UUID):
    """The export's status, and the document once it is ready."""
    export = exports.get_export(database.session(), export_id=export_id, **_who())
    return _export_out(export, with_document=True)
