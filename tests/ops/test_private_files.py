"""The dev mailbox keeps emails (names, addresses, appointments) readable by their owner only (issue 13.16)."""

from __future__ import annotations

import os
import stat

from scripts import dev_mailbox


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_mailbox_directory_is_0700_and_its_files_0600(tmp_path):
    old = os.umask(0o022)
    try:
        box_dir = tmp_path / "var" / "mail"
        box_dir.mkdir(parents=True, mode=0o755)
        box = dev_mailbox.Mailbox(box_dir)
        box.store([{"to": "ana@example.com", "subject": "Cita"}], "key-1")
    finally:
        os.umask(old)
    assert _mode(box_dir) == 0o700
    files = list(box_dir.iterdir())
    assert len(files) == 2 and all(_mode(f) == 0o600 for f in files), [(f.name, oct(_mode(f))) for f in files]
