"""Wall-clock readings that may name two instants (a fall-back night's repeated hour) or none (a
spring-forward gap), and how a time is written so that it names exactly one."""

from __future__ import annotations

from datetime import datetime


def names_one_instant(moment: datetime) -> bool:
    """Whether this aware local time's wall-clock reading exists exactly once in its zone.

    zoneinfo gives the two folds of a repeated or a skipped reading different offsets, and the same
    offset everywhere else."""
    return moment.replace(fold=0).utcoffset() == moment.replace(fold=1).utcoffset()


def hhmm(moment: datetime) -> str:
    """`09:00`, or `02:00 CEST` / `02:00 CET` (`01:00 EDT` / `01:00 EST`) in the repeated hour, where the
    reading alone does not say which of the two it is."""
    if names_one_instant(moment):
        return f"{moment:%H:%M}"
    return f"{moment:%H:%M} {moment.tzname()}"
