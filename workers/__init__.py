"""Dramatiq actors: thin adapters that open a transaction and call the clinic domain.

Importing this package does nothing. The worker command is `dramatiq workers.main:boot`: `boot` configures
the broker from the environment (workers/broker.py), then declares every actor (workers/actors.py).
"""
