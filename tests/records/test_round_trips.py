"""Reads cost a fixed number of statements, however long the record; the audit row names the real client."""
from __future__ import annotations

from sqlalchemy import event, select

from clinic.records.models import RecordAudit


def _statements(connection, call) -> int:
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(connection, "before_cursor_execute", count)
    try:
        assert call().status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(seen)


def test_reading_a_record_is_not_n_plus_one(api, connection, cast, token_for):
    doctor = token_for(cast.doctor)
    path = f"/api/patients/{cast.patient.id}/record"
    api.patch(path, doctor, json={"allergies": ["a"]})
    api.post(f"{path}/entries", doctor, json={"text": "una"})
    few = _statements(connection, lambda: api.get(path, doctor))
    for i in range(15):
        api.post(f"{path}/entries", doctor, json={"text": f"nota {i}"})
    many = _statements(connection, lambda: api.get(path, doctor))
    versions = _statements(connection, lambda: api.get(f"{path}/versions", doctor))
    assert few == many <= 7  # token check, relation, version, entries, audit insert (+ savepoint handling)
    assert versions <= 6


def test_the_audit_row_records_the_client_address_behind_one_proxy(app, api, db, cast, token_for, monkeypatch):
    """With one proxy configured (PROXY_HOPS=1) its X-Forwarded-For entry is the client; without, the header
    is ignored (tests/web/test_hardening.py)."""
    from web.client_address import ClientAddress

    monkeypatch.setattr(app, "wsgi_app", ClientAddress(app.wsgi_app, hops=1))
    r = api.get(f"/api/patients/{cast.patient.id}/record", token_for(cast.patient),
                headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
    assert r.status_code == 200
    ip = db.scalar(select(RecordAudit.ip).where(RecordAudit.patient_id == cast.patient.id))
    assert ip == "203.0.113.7"
