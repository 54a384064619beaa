"""The adapters that reach past a library's public API still take effect with the installed versions.

web/verified_tokens.py (flask-jwt-extended) and web/spectree_adapter.py (SpecTree) rely on private names.
If an upgrade moves them, nothing breaks loudly: the app just gets slower. These tests make it loud.
"""

from __future__ import annotations

import uuid

import jwt as pyjwt
import pytest
from flask import Flask, jsonify
from flask_jwt_extended import create_access_token, jwt_required
from pydantic import BaseModel
from spectree import Response

from web.spectree_adapter import FlaskRequests, LazySpecTree
from web.verified_tokens import CachingJWTManager


@pytest.fixture()
def jwt_app():
    app = Flask(__name__)
    app.config.update(JWT_SECRET_KEY="k" * 32, JWT_TOKEN_LOCATION=["headers"], JWT_DECODE_LEEWAY=0)
    CachingJWTManager().init_app(app)

    @app.get("/private")
    @jwt_required()
    def private():
        return jsonify(ok=True)

    with app.app_context():
        token = create_access_token(identity="7", additional_claims={"fam": str(uuid.uuid4())})
    return app, token


def test_a_repeated_access_token_is_not_decoded_again(jwt_app, monkeypatch):
    app, token = jwt_app
    parsed = []
    original = pyjwt.api_jws.PyJWS._load
    monkeypatch.setattr(pyjwt.api_jws.PyJWS, "_load", lambda self, jwt: parsed.append(1) or original(self, jwt))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/private", headers=headers).status_code == 200
    assert parsed, "the first request must verify the token"
    parsed.clear()
    assert client.get("/private", headers=headers).status_code == 200
    assert parsed == [], "a verified token was parsed again: flask-jwt-extended no longer goes through the cache"


def test_a_forged_token_is_still_refused(jwt_app):
    app, token = jwt_app
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert app.test_client().get("/private", headers={"Authorization": f"Bearer {forged}"}).status_code in (401, 422)


class _Probe(BaseModel):
    name: str


def test_model_schemas_are_built_only_for_the_document(monkeypatch):
    built = []
    original = _Probe.model_json_schema.__func__
    monkeypatch.setattr(
        _Probe, "model_json_schema", classmethod(lambda cls, *a, **k: built.append(cls) or original(cls, *a, **k))
    )
    spec = LazySpecTree("flask", backend=FlaskRequests, mode="strict", annotations=False, page_templates={})
    app = Flask(__name__)

    @app.post("/api/probe/<int:probe_id>")
    @spec.validate(json=_Probe, resp=Response(HTTP_200=_Probe))
    def probe(probe_id: int):
        return jsonify(name="x")

    spec.register(app)
    with app.test_request_context():
        assert built == [], "SpecTree built a model schema at decoration time: LazySpecTree no longer defers it"
        document = spec.spec
    assert built, "the document must build the schemas"
    assert any(name.startswith("_Probe") for name in document["components"]["schemas"])
    parameter = document["paths"]["/api/probe/{probe_id}"]["post"]["parameters"][0]
    assert parameter["schema"]["minimum"] == 1  # FlaskRequests.parse_path: integer ids are 1..2^63-1
