"""The patient data export job: builds the JSON document of a pending export."""

from __future__ import annotations

import dramatiq

from clinic.clock import utcnow
from clinic.records.export import build_export, mark_failed
from clinic.unit_of_work import UnitOfWork
from workers.runtime import sessions


# The relay sends (topic, payload) for Topic.EXPORT_REQUESTED; build_export is idempotent, so a redelivered
# message finds the export ready and does nothing. A few retries cover a database blip; after the last one
# the export is marked failed so that the patient sees it and may ask again.
@dramatiq.actor(
    actor_name="export_patient_data",
    max_retries=5,
    min_backoff=2_000,
    max_backoff=60_000,
    time_limit=120_000,
    on_retry_exhausted="export_patient_data_failed",
)
def export_patient_data(topic: str, payload: dict) -> None:
    with UnitOfWork(sessions()) as uow:
        build_export(uow.session, export_id=payload["export_id"], now=utcnow())


@dramatiq.actor(actor_name="export_patient_data_failed", max_retries=10)
def export_patient_data_failed(message: dict, retry_info: dict) -> None:
    with UnitOfWork(sessions()) as uow:
        mark_failed(uow.session, export_id=message["args"][1]["export_id"], now=utcnow())
