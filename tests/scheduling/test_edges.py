"""Inputs at the edges of the calendar answer 4xx, never 5xx."""

from __future__ import annotations

from tests.scheduling.factories import make_doctor


def test_extreme_dates_are_4xx(api, db, make_user, token_for):
    setup = make_doctor(db)
    staff = token_for(make_user("admin"))
    base = f"/api/doctors/{setup.doctor.id}/slots?service_id={setup.service_id}"
    for query in ("&from=0001-01-01&to=0001-01-02", "&from=9999-12-30&to=9999-12-31", "&from=0000-01-01&to=0001-01-01"):
        r = api.get(base + query, staff)
        assert r.status_code in (200, 422), (query, r.status_code)
    for query in ("from=0001-01-01", "to=9999-12-31", "from=9999-12-31&to=9999-12-31"):
        r = api.get(f"/api/appointments?{query}", staff)
        assert r.status_code in (200, 422), (query, r.status_code)
    for start in ("0001-01-01T00:30:00+01:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00-05:00"):
        r = api.post(
            "/api/appointments",
            staff,
            json={
                "doctor_id": setup.doctor.id,
                "service_id": setup.service_id,
                "patient_id": make_user().id,
                "starts_at": start,
            },
        )
        assert r.status_code in (409, 422), (start, r.status_code)
    for start, end in (
        ("0001-01-01T00:30:00+01:00", "0001-01-02T00:30:00+01:00"),
        ("9999-12-30T00:00:00+00:00", "9999-12-31T23:59:00+00:00"),
    ):
        r = api.post(f"/api/doctors/{setup.doctor.id}/time-off", staff, json={"starts_at": start, "ends_at": end})
        assert r.status_code in (201, 422), (start, r.status_code)
