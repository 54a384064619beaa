"""GET /api/appointments pages by keyset: `limit`, an opaque `cursor`, a `Link: rel="next"` header that keeps
every filter, `clinic_id`; nothing is ever silently left out, and nobody pages outside their scope."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import event

from clinic.scheduling import service as scheduling
from clinic.scheduling.models import Doctor
from tests.conftest import PASSWORD
from tests.scheduling.factories import Setup, add_appointment, future_day, make_doctor

PUBLIC_URL = "http://localhost:5173"  # the test settings' FRONTEND_ORIGIN, PUBLIC_URL's default
LINK = re.compile(r'^<([^>]+)>; rel="next"$')


def colleague(db, setup: Setup) -> Setup:
    """Another doctor of the same clinic (same services), so appointments can share a start time."""
    view = scheduling.create_doctor(
        db,
        email=f"dr-{uuid.uuid4().hex[:10]}@example.com",
        password=PASSWORD,
        full_name="Dr. Colega",
        specialty="Cardiología",
        clinic_id=setup.clinic_id,
        service_ids=[setup.service_id, setup.long_service_id],
    )
    return Setup(setup.clinic_id, setup.timezone, db.get(Doctor, view.id), setup.service_id, setup.long_service_id)


def next_url(response) -> str | None:
    link = response.headers.get("Link")
    if link is None:
        return None
    match = LINK.match(link)
    assert match, link
    return match.group(1)


def follow(api, token, path: str) -> list[list[dict]]:
    """Every page from `path` on, following `Link` until none (bounded)."""
    pages = []
    for _ in range(100):
        r = api.get(path, token)
        assert r.status_code == 200, r.get_json()
        pages.append(r.get_json())
        url = next_url(r)
        if url is None:
            return pages
        assert url.startswith(f"{PUBLIC_URL}/api/appointments?"), url
        path = url.removeprefix(PUBLIC_URL)
    raise AssertionError("the Link chain did not end")


def key(item: dict) -> tuple[datetime, int]:
    return datetime.fromisoformat(item["starts_at"]), item["id"]


def test_pages_hold_every_row_once_in_start_then_id_order_across_equal_start_times(api, db, make_user, token_for):
    setup = make_doctor(db)
    doctors = [setup, colleague(db, setup), colleague(db, setup)]
    day = future_day()
    made = [
        add_appointment(db, doctor, make_user().id, setup.at(day, 9) + timedelta(minutes=30 * slot))
        for slot in range(7)
        for doctor in doctors
    ]  # 7 start times, 3 appointments at each
    staff = token_for(make_user("receptionist"))

    pages = follow(api, staff, f"/api/appointments?clinic_id={setup.clinic_id}&limit=2")

    assert [len(page) for page in pages] == [2] * 10 + [1]
    listed = [item for page in pages for item in page]
    assert [item["id"] for item in listed] == [a.id for a in sorted(made, key=lambda a: (a.starts_at, a.id))]
    assert listed == sorted(listed, key=key)
    whole = api.get(f"/api/appointments?clinic_id={setup.clinic_id}&limit=1000", staff)
    assert whole.get_json() == listed and "Link" not in whole.headers


def test_a_page_boundary_between_equal_start_times_skips_and_repeats_nothing(api, db, make_user, token_for):
    setup = make_doctor(db)
    doctors = [setup, colleague(db, setup), colleague(db, setup)]
    start = setup.at(future_day(), 10)
    made = sorted(add_appointment(db, doctor, make_user().id, start).id for doctor in doctors)
    staff = token_for(make_user("admin"))
    for limit in (1, 2):
        pages = follow(api, staff, f"/api/appointments?clinic_id={setup.clinic_id}&limit={limit}")
        assert [item["id"] for page in pages for item in page] == made, limit


def test_the_last_full_page_has_no_link_and_the_default_limit_is_100(api, db, make_user, token_for):
    setup, patient = make_doctor(db), make_user()
    day = future_day()
    for slot in range(101):
        add_appointment(db, setup, patient.id, setup.at(day, 0) + timedelta(minutes=10 * slot), minutes=10)
    staff = token_for(make_user("receptionist"))
    first = api.get(f"/api/appointments?doctor_id={setup.doctor.id}", staff)
    assert len(first.get_json()) == 100 and next_url(first)
    exact = api.get(f"/api/appointments?doctor_id={setup.doctor.id}&limit=101", staff)
    assert len(exact.get_json()) == 101 and "Link" not in exact.headers


def test_pages_are_stable_while_appointments_are_booked_between_them(api, db, make_user, token_for):
    setup = make_doctor(db)
    day = future_day()
    made = [
        add_appointment(db, setup, make_user().id, setup.at(day, 9) + timedelta(minutes=30 * slot)) for slot in range(4)
    ]
    staff = token_for(make_user("receptionist"))
    first = api.get(f"/api/appointments?doctor_id={setup.doctor.id}&limit=2", staff)
    earlier = add_appointment(db, setup, make_user().id, setup.at(day, 8))  # before the cursor: an offset would shift
    later = add_appointment(db, setup, make_user().id, setup.at(day, 12))

    rest = follow(api, staff, next_url(first).removeprefix(PUBLIC_URL))

    seen = [item["id"] for item in first.get_json()] + [item["id"] for page in rest for item in page]
    assert seen == [a.id for a in made] + [later.id]
    assert earlier.id not in seen


def test_the_next_link_keeps_every_filter_and_only_replaces_the_cursor(api, db, make_user, token_for):
    setup, patient = make_doctor(db), make_user()
    day = future_day()
    for slot in range(3):
        add_appointment(db, setup, patient.id, setup.at(day, 9) + timedelta(minutes=30 * slot))
    staff = token_for(make_user("receptionist"))
    query = (
        f"from={day}&to={day + timedelta(days=6)}&clinic_id={setup.clinic_id}&doctor_id={setup.doctor.id}"
        f"&patient_id={patient.id}&status=booked&limit=1"
    )
    first = api.get(f"/api/appointments?{query}", staff)
    url = next_url(first)
    assert url.startswith(f"{PUBLIC_URL}/api/appointments?")
    params = parse_qsl(urlsplit(url).query)
    assert params[:-1] == parse_qsl(query) and params[-1][0] == "cursor"
    second = api.get(url.removeprefix(PUBLIC_URL), staff)
    third_url = next_url(second)
    assert parse_qsl(urlsplit(third_url).query)[:-1] == parse_qsl(query)  # the old cursor is replaced, not kept
    assert third_url.count("cursor=") == 1


def test_the_link_starts_with_public_url(api, app, db, make_user, token_for):
    setup, patient = make_doctor(db), make_user()
    for slot in range(2):
        add_appointment(db, setup, patient.id, setup.at(future_day(), 9) + timedelta(minutes=30 * slot))
    settings = app.config["SETTINGS"]
    original = settings.public_url
    object.__setattr__(settings, "public_url", "https://citas.example.org")
    try:
        r = api.get(f"/api/appointments?doctor_id={setup.doctor.id}&limit=1", token_for(make_user("admin")))
    finally:
        object.__setattr__(settings, "public_url", original)
    assert next_url(r).startswith("https://citas.example.org/api/appointments?doctor_id=")


def test_clinic_id_keeps_to_one_clinic(api, db, make_user, token_for):
    here, there = make_doctor(db), make_doctor(db)
    patient = make_user()
    day = future_day()
    mine = add_appointment(db, here, patient.id, here.at(day, 9))
    add_appointment(db, there, patient.id, there.at(day, 11))
    staff = token_for(make_user("receptionist"))
    r = api.get(f"/api/appointments?clinic_id={here.clinic_id}&from={day}&to={day}", staff)
    assert [item["id"] for item in r.get_json()] == [mine.id]
    assert api.get(f"/api/appointments?clinic_id={here.clinic_id}", token_for(patient)).get_json()[0]["id"] == mine.id
    assert api.get("/api/appointments?clinic_id=999999999", staff).get_json() == []


def test_dates_stay_exact_in_far_east_and_far_west_clinics(api, db, make_user, token_for):
    """The UTC range that lets the index work is a day wider than any clinic's day; the exact bound holds."""
    staff = token_for(make_user("admin"))
    day = future_day()
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14, UTC-11
        setup, patient = make_doctor(db, timezone_name=zone), make_user()
        inside = [
            add_appointment(db, setup, patient.id, setup.at(day, 0)),
            add_appointment(db, setup, patient.id, setup.at(day + timedelta(days=1), 23, 30)),
        ]
        for outside in (setup.at(day, 0) - timedelta(minutes=30), setup.at(day + timedelta(days=2), 0)):
            add_appointment(db, setup, patient.id, outside)
        r = api.get(f"/api/appointments?clinic_id={setup.clinic_id}&from={day}&to={day + timedelta(days=1)}", staff)
        assert [item["id"] for item in r.get_json()] == [a.id for a in inside], zone


def test_patients_and_doctors_only_ever_page_through_their_own(api, db, make_user, token_for):
    setup, other = make_doctor(db), make_doctor(db)
    me, someone = make_user(), make_user()
    day = future_day()
    mine = []
    for slot in range(3):  # interleaved with someone else's, at the same times with another doctor
        mine.append(add_appointment(db, setup, me.id, setup.at(day, 9) + timedelta(minutes=30 * slot)))
        add_appointment(db, other, someone.id, setup.at(day, 9) + timedelta(minutes=30 * slot))
        add_appointment(db, setup, someone.id, setup.at(day, 15) + timedelta(minutes=30 * slot))
    token = token_for(me)

    pages = follow(api, token, "/api/appointments?limit=1")
    assert [item["id"] for page in pages for item in page] == [a.id for a in mine]
    assert api.get(f"/api/appointments?patient_id={someone.id}&limit=1", token).status_code == 404  # not theirs
    # A cursor taken from a staff listing positions the page; it opens nothing more.
    staff_first = api.get("/api/appointments?limit=1&clinic_id=" + str(setup.clinic_id), token_for(make_user("admin")))
    pages = follow(api, token, next_url(staff_first).removeprefix(PUBLIC_URL))
    assert {item["patient_id"] for page in pages for item in page} <= {me.id}
    doctor_pages = follow(api, token_for(other.doctor.user), "/api/appointments?limit=2")
    assert {item["doctor_id"] for page in doctor_pages for item in page} == {other.doctor.id}
    assert sum(len(page) for page in doctor_pages) == 3


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_bad_limits_and_cursors_are_422_naming_the_field(api, db, make_user, token_for):
    staff = token_for(make_user("receptionist"))
    for bad in ("0", "-1", "1001", "many", "1.5", ""):
        r = api.get(f"/api/appointments?limit={bad}", staff)
        assert r.status_code == 422 and "limit" in r.get_json()["error"]["fields"], (bad, r.get_json())
    moment = datetime(2027, 3, 1, 9, tzinfo=timezone.utc).isoformat()
    for bad in (
        "x",
        "%00",
        "é",
        "====",
        _cursor(f"{moment}|0"),
        _cursor(f"{moment}|{2**63}"),
        _cursor(f"{moment}|-3"),
        _cursor(f"{moment}|+3"),
        _cursor("2027-03-01T09:00:00|4"),
        _cursor(f"{moment}"),
        _cursor("not a time|4"),
        "A" * 201,
    ):
        r = api.get(f"/api/appointments?cursor={bad}", staff)
        assert r.status_code == 422, (bad, r.status_code)
        assert r.get_json()["error"]["fields"] == {"cursor": r.get_json()["error"]["fields"]["cursor"]}, bad
    assert api.get("/api/appointments?limit=1000", staff).status_code == 200
    assert api.get(f"/api/appointments?cursor={_cursor(f'{moment}|7')}", staff).status_code == 200


def test_each_page_is_one_statement_on_the_clinic_index(api, connection, db, make_user, token_for):
    """No N+1: one query per page, whatever its size; the desk's clinic week is a range of one index."""
    setup = make_doctor(db)
    doctors = [setup, colleague(db, setup)]
    day = future_day()
    for slot in range(5):
        for doctor in doctors:
            add_appointment(db, doctor, make_user().id, setup.at(day, 9) + timedelta(minutes=30 * slot))
    staff = token_for(make_user("receptionist"))
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM appointments" in statement:
            seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        pages = follow(api, staff, f"/api/appointments?clinic_id={setup.clinic_id}&from={day}&to={day}&limit=4")
    finally:
        event.remove(connection, "before_cursor_execute", record)
    assert [len(page) for page in pages] == [4, 4, 2]
    assert len(seen) == 3
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
    statement, parameters = seen[-1]
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars())
    assert "ix_appointments_clinic_starts" in plan, plan


def test_openapi_documents_paging(api):
    doc = api.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/appointments"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "clinic_id", "doctor_id", "patient_id", "status", "limit", "cursor"} <= names
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
    assert limit["maximum"] == 1000 and limit["default"] == 100
    assert "Link" in operation["responses"]["200"]["headers"]


def test_a_frontend_on_another_origin_may_read_the_link_header(api, db, make_user, token_for):
    """A build with VITE_API_URL calls the API cross-origin: without `Access-Control-Expose-Headers: Link`
    the browser hides the header, and the app would take the first page for the whole list."""
    setup, patient = make_doctor(db), make_user()
    for slot in range(2):
        add_appointment(db, setup, patient.id, setup.at(future_day(), 9) + timedelta(minutes=30 * slot))
    r = api.get(
        f"/api/appointments?doctor_id={setup.doctor.id}&limit=1",
        token_for(make_user("admin")),
        headers={"Origin": PUBLIC_URL},
    )
    assert next_url(r)
    assert "link" in r.headers.get("Access-Control-Expose-Headers", "").lower().split(", ")
