"""The clinic domain: business rules shared by the web API, the workers and the scheduler.

Nothing in this package imports Flask or Dramatiq; the adapters call into it.
"""
