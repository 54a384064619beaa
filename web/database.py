"""One session per request; the request owns the transaction."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def session() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["db_sessionmaker"]()
    return g.db


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close(exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            if exc is not None:
                db.rollback()
            db.close()


def finish(response, keep_changes: bool = False):
    """Commit what a successful request (or an error that must keep its side effects) changed."""
    db = g.get("db")
    if db is None:
        return response
    if response.status_code < 400 or keep_changes:
        db.commit()
    else:
        db.rollback()
    return response
