"""Item 1: a deactivated account (or doctor profile) loses its powers at once; admins manage accounts."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture()
def admin_token(make_user, token_for):
    admin = make_user("admin")
    return admin, token_for(admin)


def test_admin_renames_and_changes_a_role(api, make_user, admin_token):
    _, token = admin_token
    user = make_user("patient")
    r = api.patch(f"/api/users/{user.id}", token, json={"full_name": "  Nuevo Nombre ", "role": "receptionist"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["full_name"] == "Nuevo Nombre" and body["role"] == "receptionist" and body["active"] is True
    assert set(body) >= {"id", "email", "full_name", "role", "locale"}


def test_only_admins_may_patch_users(api, make_user, token_for):
    target = make_user("patient")
    for role in ("patient", "doctor", "receptionist"):
        r = api.patch(f"/api/users/{target.id}", token_for(make_user(role)), json={"active": False})
        assert r.status_code == 403, role
    assert api.patch(f"/api/users/{target.id}", json={"active": False}).status_code == 401


def test_patch_user_refuses_bad_input_and_unknown_ids(api, admin_token):
    admin, token = admin_token
    assert api.patch("/api/users/99999999", token, json={"active": False}).status_code == 404
    for body in ({"role": "root"}, {"active": "maybe"}, {"email": "x@example.com"}, {"full_name": ""}):
        r = api.patch(f"/api/users/{admin.id}", token, json=body)
        assert r.status_code == 422, body


def test_an_admin_cannot_lock_themselves_out(api, admin_token):
    admin, token = admin_token
    for body in ({"active": False}, {"role": "patient"}, {"role": "doctor", "active": False}):
        r = api.patch(f"/api/users/{admin.id}", token, json=body)
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "own_account", body
    same = api.patch(f"/api/users/{admin.id}", token, json={"role": "admin", "active": True, "full_name": "Yo"})
    assert same.status_code == 200 and same.get_json()["full_name"] == "Yo"  # not a change: fine
    assert api.get("/api/me", token).get_json()["role"] == "admin"


def test_deactivation_signs_the_account_out_everywhere_and_keeps_it_out(api, make_user, admin_token):
    _, token = admin_token
    user = make_user("receptionist")
    sessions = [api.login(user.email) for _ in range(2)]
    r = api.patch(f"/api/users/{user.id}", token, json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    for s in sessions:
        assert api.get("/api/me", s["access_token"]).status_code == 401
        assert api.post("/api/auth/refresh", s["refresh_token"]).status_code == 401
    login = api.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 401
    # Reactivated, it signs in again, but the old sign-ins stay dead.
    assert api.patch(f"/api/users/{user.id}", token, json={"active": True}).get_json()["active"] is True
    assert api.post("/api/auth/refresh", sessions[0]["refresh_token"]).status_code == 401
    assert api.get("/api/me", sessions[0]["access_token"]).status_code == 401
    assert api.login(user.email)["user"]["id"] == user.id


def test_staff_see_whether_accounts_are_active(api, make_user, admin_token):
    _, token = admin_token
    user = make_user("patient", full_name="Inactiva Zzyzx")
    api.patch(f"/api/users/{user.id}", token, json={"active": False})
    found = api.get("/api/users?q=zzyzx", token).get_json()["items"]
    assert [(u["id"], u["active"]) for u in found] == [(user.id, False)]


def test_patch_user_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    operation = paths["/api/users/{user_id}"]["patch"]
    assert set(operation["responses"]) >= {"200", "404", "409", "422"}


def test_an_active_doctor_keeps_the_doctor_role_until_deactivated(api, admin_token):
    """Re-roling an active doctor would leave them bookable without an agenda: the desk deactivates the
    doctor first (their appointments are cancelled and patients told), then may change the role."""
    _, token = admin_token
    clinic = api.post("/api/clinics", token, json={"name": "Rol", "timezone": "Europe/Madrid"}).get_json()
    doctor = api.post(
        "/api/doctors",
        token,
        json={
            "email": "rol.doctor@example.com",
            "full_name": "Dra. Rol",
            "specialty": "General",
            "clinic_id": clinic["id"],
        },
    ).get_json()
    r = api.patch(f"/api/users/{doctor['user_id']}", token, json={"role": "patient"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "doctor_still_active", r.get_json()
    assert r.get_json()["error"]["fields"] == {"role": "doctor_still_active"}
    listed = api.get("/api/users", token, query_string={"q": "rol.doctor@example.com"}).get_json()["items"]
    assert [u["role"] for u in listed] == ["doctor"]  # nothing changed

    assert api.patch(f"/api/doctors/{doctor['id']}", token, json={"active": False}).status_code == 200
    r = api.patch(f"/api/users/{doctor['user_id']}", token, json={"role": "receptionist"})
    assert r.status_code == 200 and r.get_json()["role"] == "receptionist"
