"""Reads cost a fixed number of statements, however long the record; the audit row names the real client."""

from __future__ import annotations

from sqlalchemy import event, select

from clinic.db import STATEMENT_HOOKS
from clinic.records.models import RecordAudit


def _statements(connection, call) -> int:
    """Statements the app sends, through SQLAlchemy or the platform's driver path (clinic.db.STATEMENT_HOOKS);
    the SAVEPOINTs that stand for its units' transactions on the test's connection
    (tests/conftest.joined_factories) are not counted."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            seen.append(statement)

    def count_driver(statement, _params):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    STATEMENT_HOOKS.append(count_driver)
    try:
        assert call().status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
        STATEMENT_HOOKS.remove(count_driver)
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
    # token check, relation, version, entries, audit insert, the reader's account (+ savepoint handling); the token
    # check runs on clinic.db's driver path, counted through its hook (8 all along).
    assert few == many <= 8
    assert versions <= 6


def test_the_audit_row_records_the_client_address_behind_one_proxy(app, api, db, cast, token_for, monkeypatch):
    """With one proxy configured (PROXY_HOPS=1) its X-Forwarded-For entry is the client; without, the header
    is ignored (tests/web/test_hardening.py)."""
    from web.client_address import ClientAddress

    monkeypatch.setattr(app, "wsgi_app", ClientAddress(app.wsgi_app, hops=1))
    r = api.get(
        f"/api/patients/{cast.patient.id}/record",
        token_for(cast.patient),
        headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"},
    )
    assert r.status_code == 200
    ip = db.scalar(select(RecordAudit.ip).where(RecordAudit.patient_id == cast.patient.id))
    assert ip == "203.0.113.7"


def test_the_record_names_its_patient_with_age_under_the_same_rule_and_audit(api, make_user, token_for, db):
    """GET /record carries `patient` (name, date of birth, age) for whoever may read the record; others get
    the record's 404; each read is the record's audited read."""
    from datetime import datetime, timezone

    from sqlalchemy import text as sql

    patient = make_user("patient", full_name="Rosario Vega")
    db.execute(sql("UPDATE users SET birth_date = '1961-05-04' WHERE id = :i"), {"i": patient.id})
    own = api.get(f"/api/patients/{patient.id}/record", token_for(patient))
    assert own.status_code == 200, own.get_json()
    today = datetime.now(timezone.utc).date()
    age = today.year - 1961 - ((today.month, today.day) < (5, 4))
    assert own.get_json()["patient"] == {
        "id": patient.id,
        "full_name": "Rosario Vega",
        "birth_date": "1961-05-04",
        "age": age,
    }
    reads = db.execute(
        sql("SELECT count(*) FROM record_audit WHERE patient_id = :i AND action = 'record.read'"), {"i": patient.id}
    ).scalar_one()
    assert reads == 1
    for stranger in (make_user("doctor"), make_user("receptionist"), make_user("patient")):
        assert api.get(f"/api/patients/{patient.id}/record", token_for(stranger)).status_code == 404
