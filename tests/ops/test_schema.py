"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import clinic.models  # noqa: F401 - registers every model on Base.metadata
from clinic.db import Base


def test_migrated_schema_matches_the_models(engine):
    """`engine` is the session's test database, migrated to head (tests/conftest.py)."""
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
