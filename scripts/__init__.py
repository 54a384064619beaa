"""Developer helpers for `bin/run` and `bin/test` (not imported by the application)."""
