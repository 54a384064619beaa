"""Imports every model module so that the metadata and relationships are complete."""

from clinic.appointments.models import Appointment, AppointmentHistory  # noqa: F401
from clinic.calendars.models import CalendarFeed  # noqa: F401
from clinic.identity.models import EmailVerification, PasswordReset, RefreshToken, RevokedAccessToken, User  # noqa: F401
from clinic.notifications.models import Delivery  # noqa: F401
from clinic.outbox.models import OutboxMessage  # noqa: F401
from clinic.records.models import (
    BreakGlassGrant,
    DataExport,
    MedicalRecord,
    RecordAudit,  # noqa: F401
    RecordEntry,
    RecordVersion,
)
from clinic.scheduling.models import Clinic, Doctor, Service, TimeOff, WorkingHours  # noqa: F401
from clinic.waitlist.models import SlotHold, WaitlistEntry  # noqa: F401
from clinic.manage.models import ManageLink  # noqa: F401
from clinic.sms.models import SmsReply  # noqa: F401
