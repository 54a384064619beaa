"""Issue 13, HTTP layer: nested JSON, forwarded addresses, absolute URLs, fallbacks, cookies, docs, search."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, make_settings

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("method, path", [("POST", "/api/auth/login"), ("POST", "/api/auth/register"),
                                          ("PATCH", "/api/me")])
def test_deeply_nested_json_is_a_400_not_a_500(api, make_user, token_for, method, path):
    token = token_for(make_user("patient")) if path == "/api/me" else None
    r = api.call(method, path, token, data=DEEP, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "json_too_deep"
    assert r.get_json()["error"]["fields"] == {"body": "is nested more than 32 levels deep"}


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
        r = api.call("GET" if path.endswith("calendar") else "POST", path, token,
                     headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        assert r.status_code == 200
        urls = r.get_json()
        assert urls["url"].startswith(public_url + "/api/calendar/"), urls
        assert urls["webcal_url"] == "webcal://" + urls["url"].split("://", 1)[1]
        assert "evil.example" not in str(urls)
