"""Every actor module, imported once so that the broker knows all actors (see workers/subscriptions.py)."""

from workers import cascade_actors, email_actors  # noqa: F401,E402
from workers import export_actors  # noqa: F401,E402  (export.requested -> export_patient_data)
from workers import calendar_actors  # noqa: F401,E402  (appointment.*, calendar.feed_created -> rebuild_calendar_feeds)
from workers import sms_actors  # noqa: F401,E402  (sms.due -> send_sms)
