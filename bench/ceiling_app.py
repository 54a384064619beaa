"""The ceilings: a Flask "hello" and a Flask endpoint doing one INSERT ... RETURNING through a SQLAlchemy pool."""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import text

from clinic.db import make_engine
from web.database import ENGINE_OPTIONS


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"], **ENGINE_OPTIONS)  # the web app's own pool settings

    @app.get("/hello")
    def hello():
        return jsonify(status="ok")

    @app.post("/insert")
    def insert():
        body = request.get_json()
        with engine.begin() as conn:
            row = conn.execute(
                text("INSERT INTO bench_ceiling (payload) VALUES (:p) RETURNING id, created_at"),
                {"p": body.get("starts_at", "")},
            ).one()
        return jsonify(id=row.id, created_at=row.created_at.isoformat()), 201

    return app
