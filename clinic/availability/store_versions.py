"""The SQL of the doctors' slots versions (migration 0017): folding each doctor's `doctor_slot_changes` rows
into one. The rule that runs it is clinic/availability/slot_versions.py; the version itself is read inside
the slots statement (clinic/availability/service.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic.db import fetch_value

# Folds each doctor's slot-change rows into one carrying their summed weight: the doctor's slots version is
# unchanged, and reading it stays a few index entries. Only rows this statement deleted are summed, so a
# concurrent fold or change is never lost nor counted twice. No parameters: tools may run it as it is
# (bench/slots_bench.py).
FOLD = """
WITH many AS (SELECT doctor_id FROM doctor_slot_changes GROUP BY doctor_id HAVING count(*) > 1),
gone AS (
  DELETE FROM doctor_slot_changes c USING many m WHERE c.doctor_id = m.doctor_id RETURNING c.doctor_id, c.weight
),
folded AS (
  INSERT INTO doctor_slot_changes (doctor_id, weight) SELECT doctor_id, sum(weight) FROM gone GROUP BY doctor_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)
"""


def fold_slot_changes(session: Session) -> int:
    """Fold each doctor's slot-change rows into one; how many rows went."""
    return fetch_value(session, FOLD)
