"""Production code never relies on `assert`: `python -O` strips it, so a safety check written as one vanishes."""

from __future__ import annotations

import ast

from tests.support.processes import ROOT

PRODUCTION_PACKAGES = ("clinic", "web", "workers", "scheduler", "scripts", "migrations")


def test_no_assert_statement_in_production_code():
    found = []
    for package in PRODUCTION_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)
            ]
    assert found == [], "raise a real error instead of asserting: " + ", ".join(found)
