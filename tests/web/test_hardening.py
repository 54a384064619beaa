"""Issue 13, HTTP layer: nested JSON, forwarded addresses, absolute URLs, fallbacks, cookies, docs, search."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, make_settings

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "method, path", [("POST", "/api/auth/login"), ("POST", "/api/auth/register"), ("PATCH", "/api/me")]
)
def test_deeply_nested_json_is_a_400_not_a_500(api, make_user, token_for, method, path):
    token = token_for(make_user("patient")) if path == "/api/me" else None
    r = api.call(method, path, token, data=DEEP, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "json_too_deep"
    assert r.get_json()["error"]["fields"] == {"body": "too_deep"}
    assert "is nested more than 32 levels deep" in r.get_json()["error"]["message"]


def test_nesting_is_capped_at_32_levels(api):
    def nested(levels: int) -> str:
        return '{"email": "a@example.com", "password": "x", "n": ' + "[" * levels + "]" * levels + "}"

    ok = api.client.post("/api/auth/login", data=nested(31), content_type="application/json")
    assert ok.status_code == 422  # 32 levels with the outer object: parsed, then refused by the schema
    deep = api.client.post("/api/auth/login", data=nested(32), content_type="application/json")
    assert deep.status_code == 400 and deep.get_json()["error"]["code"] == "json_too_deep"


def test_feed_url_starts_with_public_url_whatever_the_host_header(api, app, make_user, token_for):
    public_url = app.config["SETTINGS"].public_url
    token = token_for(make_user("patient"))
    for path in ("/api/me/calendar", "/api/me/calendar/rotate"):
        r = api.call(
            "GET" if path.endswith("calendar") else "POST",
            path,
            token,
            headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
        )
        assert r.status_code == 200
        urls = r.get_json()
        assert urls["url"].startswith(public_url + "/api/calendar/"), urls
        assert urls["webcal_url"] == "webcal://" + urls["url"].split("://", 1)[1]
        assert "evil.example" not in str(urls)


RENDER_CHAIN = "1.1.1.1, 172.70.247.28, 10.19.6.53"  # client, Cloudflare edge, Render's internal proxy


def _limited_app(**settings):
    from web import create_app

    return create_app(
        {
            "SETTINGS": make_settings(RATELIMIT_ENABLED="1", RATELIMIT_AUTH="3 per minute", **settings),
            "ACCESS_LOG": False,
        }
    )


def test_a_direct_clients_forwarded_header_does_not_escape_the_per_ip_limit(engine, redis_client, request):
    from web.extensions import limiter

    redis_client.flushdb()
    request.addfinalizer(lambda: (setattr(limiter, "enabled", False), redis_client.flushdb()))
    client = _limited_app().test_client()  # PROXY_HOPS unset: run directly, as bin/run and the tests do
    codes = [
        client.post(
            "/api/auth/login",
            json={"email": f"u{i}@example.com", "password": "Wrong-Password-1"},
            headers={"X-Forwarded-For": f"6.6.6.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_with_proxies_configured_the_address_they_recorded_is_used(engine, redis_client, request):
    from web.extensions import limiter

    redis_client.flushdb()
    request.addfinalizer(lambda: (setattr(limiter, "enabled", False), redis_client.flushdb()))
    client = _limited_app(PROXY_HOPS="2", PROXY_INTERNAL_NETWORKS="10.0.0.0/8").test_client()

    def login(i: int, forwarded: str) -> int:
        return client.post(
            "/api/auth/login",
            json={"email": f"v{i}@example.com", "password": "Wrong-Password-1"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    # The same client, with whatever it put in front of the chain Render appends: one address, limited.
    assert [login(i, f"6.6.6.{i}, {RENDER_CHAIN}") for i in range(4)] == [401, 401, 401, 429]
    # Another client (and one more internal hop, as through the static site's rewrite): its own budget.
    assert login(9, "2.2.2.2, 172.71.95.118, 10.19.64.237, 10.1.2.3") == 401


@pytest.mark.parametrize(
    "forwarded, hops, expected",
    [
        (RENDER_CHAIN, 2, "1.1.1.1"),
        ("9.9.9.9, " + RENDER_CHAIN, 2, "1.1.1.1"),  # a spoofed entry on the left changes nothing
        ("10.9.9.9, 9.9.9.9 ," + RENDER_CHAIN, 2, "1.1.1.1"),
        ("1.1.1.1, 172.70.247.28, 10.19.6.53, 10.0.0.7", 2, "1.1.1.1"),  # one more internal hop
        ("172.70.247.28, 10.19.6.53", 2, None),  # fewer entries than proxies: not through them
        ("nonsense, 172.70.247.28", 2, None),
        ("5.5.5.5", 1, "5.5.5.5"),
        ("5.5.5.5", 0, None),
    ],
)
def test_client_from_forwarded_for(forwarded, hops, expected):
    from clinic.settings import parse_networks
    from web.client_address import client_from

    assert client_from(forwarded, hops, parse_networks("10.0.0.0/8")) == expected


def test_audit_rows_record_the_socket_peer_not_a_forwarded_header(api, db, make_user, token_for):
    from sqlalchemy import select

    from clinic.records.models import RecordAudit

    patient = make_user("patient")
    r = api.get(
        f"/api/patients/{patient.id}/record",
        token_for(patient),
        headers={"X-Forwarded-For": "6.6.6.6"},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert r.status_code == 200
    ips = db.scalars(select(RecordAudit.ip).where(RecordAudit.patient_id == patient.id)).all()
    assert ips and set(ips) == {"192.0.2.10"}


def test_only_app_routes_fall_back_to_index_html(engine, redis_client, tmp_path, monkeypatch):
    import web.frontend
    from web import create_app

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    (tmp_path / "assets" / "app-1.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    monkeypatch.setattr(web.frontend, "DIST", tmp_path)
    client = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False}).test_client()

    for route in ("/", "/appointments/12", "/reset-password", "/manage/abc-DEF_123"):
        r = client.get(route)
        assert r.status_code == 200 and b"<title>app</title>" in r.data, route
    assert client.get("/assets/app-1.js").data == b"console.log(1)"
    assert client.get("/favicon.svg").status_code == 200
    for missing in (
        "/assets/missing.js",
        "/assets/x",
        "/logo.png",
        "/robots.txt",
        "/static/app.css",
        "/appointments/app.js.map",
    ):
        r = client.get(missing)
        assert r.status_code == 404 and b"<title>app</title>" not in r.data, missing
    for api in ("/api", "/api/", "/api/nope", "/api/v2/appointments"):
        r = client.get(api)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found", api


def _cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_auth_cookies_live_as_long_as_their_tokens(api, make_user, app):
    user = make_user("patient")
    r = api.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    access_seconds = app.config["SETTINGS"].access_token_minutes * 60
    refresh_seconds = app.config["SETTINGS"].refresh_token_days * 86400
    for name in ("access_token_cookie", "csrf_access_token"):
        assert f"Max-Age={access_seconds};" in _cookie(r, name)
    for name in ("refresh_token_cookie", "csrf_refresh_token"):
        max_age = int(_cookie(r, name).split("Max-Age=")[1].split(";")[0])
        assert refresh_seconds - 5 <= max_age <= refresh_seconds


def test_no_documentation_pages_from_a_cdn_but_the_document_stays(client, app):
    for page in ("/api/docs/swagger", "/api/docs/redoc", "/api/docs/scalar"):
        assert client.get(page).status_code == 404, page
    assert [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/docs")] == ["/api/docs/openapi.json"]
    assert client.get("/api/openapi.json").status_code == 200


def test_staff_user_search_matches_percent_and_underscore_literally(api, make_user, token_for):
    make_user("patient", full_name="Ana_Literal Ruiz")
    make_user("patient", full_name="AnaXLiteral Ruiz")
    staff = token_for(make_user("receptionist"))

    def names(q: str) -> list[str]:
        r = api.get("/api/users", staff, query_string={"q": q, "role": "patient"})
        assert r.status_code == 200
        return [u["full_name"] for u in r.get_json()["items"]]

    assert names("ana_literal") == ["Ana_Literal Ruiz"]
    assert names("%literal") == []
    assert names("\\") == []


def test_a_bad_internal_network_stops_the_process_with_its_name():
    from clinic.settings import ConfigError

    with pytest.raises(ConfigError, match="PROXY_INTERNAL_NETWORKS"):
        make_settings(PROXY_INTERNAL_NETWORKS="10.0.0.0/8, not-a-network")
    assert make_settings().proxy_hops == 0  # run directly unless told otherwise
