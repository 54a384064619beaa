"""The no-show sweep, until it moves to the appointments domain. Every other periodic rule lives with its
domain; scheduler/jobs.py lists what the scheduler runs."""
