"""Helpers for tests whose processes commit real data to the shared test database."""

from __future__ import annotations

import psycopg


def empty_tables(database_url: str) -> None:
    """Leave the test database as the schema migration left it (other tests count rows).

    The medical-record tables are append-only (triggers refuse TRUNCATE); a superuser session with
    `session_replication_role = replica` skips those triggers, as the records tests do.
    """
    with psycopg.connect(database_url) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
