"""Due work found by the scheduler: reminders, daily agendas, no-shows, expired waitlist holds.

Each sweep is one set-based statement over indexed columns. It inserts the `deliveries` rows it finds
due (their unique keys make a repeated or concurrent sweep a no-op) and, in the same transaction, the
outbox messages that carry them to the workers in groups of up to 100 (one provider batch call each).
"""
