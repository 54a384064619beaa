"""Dramatiq actors: thin adapters that open a transaction and call the clinic domain.

`dramatiq workers` imports this package; the broker is configured first, then every actor module.
"""
from workers.broker import broker  # noqa: F401  (configures the broker before any actor is declared)
from workers import actors  # noqa: F401,E402
