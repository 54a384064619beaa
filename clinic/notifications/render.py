"""Turning delivery rows into provider requests, re-checking the appointment first.

Every render reads the appointment as it stands at send time, so emails processed out of order still
leave the patient with the current time and the current iCalendar SEQUENCE. `None` means "do not send":
a reminder for an appointment that was cancelled, moved or has started; a confirmation or reschedule
notice for an appointment cancelled since (the cancellation notice follows); an offer whose hold ended.
"""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic.identity import resets
from clinic.manage import links as manage_links
from clinic.notifications import account_emails, content, imip
from clinic.notifications.models import Delivery
from clinic.notifications.store import render as store
from clinic.settings import Settings

SMTP = "smtp"  # the payload key of a message that goes over SMTP_URL (see Sender)
ACCOUNT_EMAILS = ("verify_email", "signup_attempt")  # delivery kinds (events.ACCOUNT_KINDS maps topics to them)


class Renderer:
    def __init__(self, settings: Settings):
        self.settings = settings

    def render(self, session: Session, rows: list[Delivery], *, now: datetime) -> dict[int, dict | None]:
        """Provider params for each row id (None: skip). One query for all the appointments."""
        appointment_ids = {r.appointment_id for r in rows if r.appointment_id is not None}
        views = store.appointment_views(session, ids=appointment_ids) if appointment_ids else {}
        out: dict[int, dict | None] = {}
        for row in rows:
            if row.kind == "agenda":
                out[row.id] = self._agenda(session, row)
            elif row.kind in ("password_reset", "set_password"):
                out[row.id] = self._password_reset(session, row, now)
            elif row.kind in ACCOUNT_EMAILS:
                out[row.id] = self._account(session, row, now)
            else:
                out[row.id] = self._appointment(session, row, views.get(row.appointment_id), now)
        return out

    def _params(self, email: content.Email, **extra) -> dict:
        return {
            "from": self.settings.email_from,
            "to": [email.to],
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
            **extra,
        }

    def _appointment(self, session: Session, row: Delivery, v, now: datetime) -> dict | None:
        if v is None:
            return None
        (
            appt_id,
            status,
            starts_at,
            _seq,
            reason,
            name,
            email,
            locale,
            zone,
            clinic,
            address,
            doctor,
            service,
            doctor_id,
            service_id,
            ends_at,
            shadow,
        ) = v
        if shadow and row.kind != "waitlist_offer":  # an offer goes to the hold's patient (checked there)
            return None  # a shadow account's address is someone else's (clinic.identity.signup): never emailed
        if email is None and row.kind != "waitlist_offer":
            return None  # a walk-in without an email (clinic.identity.walk_ins): the desk tells them
        view = content.EmailFacts(
            appt_id,
            name,
            email,
            content.locale_of(locale),
            starts_at,
            zone,
            clinic,
            address,
            doctor,
            service,
            doctor_id,
            service_id,
            ends_at,
        )
        url = self.settings.public_url
        if row.kind in ("confirmation", "rescheduled"):
            if status == "cancelled":
                return None
            email = content.appointment_email(
                row.kind, view, public_url=url, manage_link=self._manage(session, appt_id)
            )
            return self._invitation(session, row, email, "REQUEST", now)
        if row.kind == "cancelled":
            cause = (row.details or {}).get("cause")
            if cause == "system":  # a cascade: the reason code says why (time_off, doctor_deactivated)
                cause = reason
            manage_link = self._manage(session, appt_id) if ends_at > now else None  # dead after its end
            # The clinic's own words to the patient (staff or the doctor cancelling); a patient's own reason
            # is not repeated back, and a cascade's reason is a code, said by `cause`.
            note = reason if (row.details or {}).get("cause") in ("staff", "doctor") else None
            return self._invitation(
                session,
                row,
                content.appointment_email(
                    "cancelled", view, public_url=url, cause=cause, manage_link=manage_link, note=note
                ),
                "CANCEL",
                now,
            )
        if row.kind == "reminder":
            expected = datetime.fromisoformat(row.details["starts_at"])
            if status != "booked" or starts_at != expected or now >= starts_at:
                return None
            return self._params(
                content.appointment_email("reminder", view, public_url=url, manage_link=self._manage(session, appt_id))
            )
        if row.kind == "noshow":
            if status != "no_show":
                return None
            return self._params(content.appointment_email("noshow", view, public_url=url))
        if row.kind == "waitlist_offer":
            return self._offer(session, row, view, now)
        raise ValueError(f"unknown delivery kind {row.kind!r}")

    def _manage(self, session: Session, appointment_id: int) -> str:
        """The appointment's no-sign-in link for this email, minted now (only its keyed hash is stored)."""
        return manage_links.manage_url(session, appointment_id=appointment_id, channel="email", settings=self.settings)

    def _invitation(
        self, session: Session, row: Delivery, email: content.Email, method: str, now: datetime
    ) -> dict | None:
        """An invitation email: an iMIP message for SMTP_URL, keyed with the row's own key (invitations are
        never batched); without SMTP_URL (development/test only) the HTTP API's params with the invite as an
        attachment, which is all that API can carry. None when the appointment was cancelled between the
        two reads (the cancellation notice follows): the MIME method must equal the document's METHOD."""
        from clinic.calendars import invites

        carried, calendar = invites.invitation(
            session, appointment_id=row.appointment_id, method=method, now=now, sender=self.settings.email_from
        )
        if carried != method:
            return None
        if not self.settings.smtp_url:
            return self._params(email, attachments=[_attachment(calendar, invites.content_type(method))])
        sender = self.settings.email_from
        msg = imip.message(email, sender=sender, calendar=calendar, method=method, key=row.key, now=now)
        return {SMTP: imip.envelope(msg, sender=sender)}

    def _offer(self, session: Session, row: Delivery, view: content.EmailFacts, now: datetime) -> dict | None:
        hold = store.live_offer(session, hold_id=row.details["hold_id"], now=now)
        if hold is None:
            return None
        starts_at, expires_at, name, email, locale, shadow = hold
        if shadow or email is None:
            return None
        offered = content.EmailFacts(
            view.appointment_id,
            name,
            email,
            content.locale_of(locale),
            starts_at,
            view.zone,
            view.clinic_name,
            view.clinic_address,
            view.doctor_name,
            view.service_name,
            view.doctor_id,
            view.service_id,
        )
        link = manage_links.offer_url(session, hold_id=row.details["hold_id"], channel="email", settings=self.settings)
        return self._params(
            content.appointment_email(
                "waitlist_offer", offered, public_url=self.settings.public_url, until=expires_at, link=link
            )
        )

    def _password_reset(self, session: Session, row: Delivery, now: datetime) -> dict | None:
        """The reset link, rendered from the stored nonce; nothing once the link is used or expired."""
        found = resets.link_for(
            session,
            reset_id=row.details["reset_id"],
            secret=self.settings.jwt_secret_key,
            public_url=self.settings.public_url,
            now=now,
        )
        if found is None:
            return None
        user, link = found
        if user.email is None or user.shadow:
            return None
        if row.kind == "set_password":
            return self._params(
                account_emails.set_password_email(
                    name=user.full_name, email=user.email, locale=user.locale, link=link + "&welcome=1"
                )
            )
        return self._params(
            account_emails.password_reset_email(name=user.full_name, email=user.email, locale=user.locale, link=link)
        )

    def _account(self, session: Session, row: Delivery, now: datetime) -> dict | None:
        """The verification link (minted now, so that only its hash is ever stored), or the notice to an
        address's owner that someone tried to sign up with it. Neither goes to a shadow account."""
        from clinic.identity import signup

        user = store.account(session, user_id=row.recipient_id)
        if user is None or user.shadow or not user.is_active:
            return None
        url = self.settings.public_url
        if row.kind == "verify_email":
            if user.email_verified_at is not None:
                return None
            token = signup.issue_link_token(session, user_id=row.recipient_id, email=user.email, now=now)
            links = [("verify", f"{url}/verify-email?token={token}")]
        else:
            links = [("sign_in", f"{url}/login"), ("reset", f"{url}/reset-password")]
        return self._params(
            account_emails.account_email(
                row.kind,
                name=user.full_name,
                to=user.email,
                locale=user.locale,
                links=links,
                days=signup.VERIFY_LINK_DAYS,
            )
        )

    def _agenda(self, session: Session, row: Delivery) -> dict | None:
        day = date.fromisoformat(row.details["day"])
        doctor = store.agenda_doctor(session, doctor_id=row.doctor_id)
        if doctor is None:
            return None
        name, email, locale, zone = doctor
        start = datetime.combine(day, datetime.min.time(), ZoneInfo(zone))
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
        rows = store.agenda(session, doctor_id=row.doctor_id, start=start, end=end)
        if not rows:
            return None
        email_ = content.agenda_email(
            doctor_name=name,
            doctor_email=email,
            locale=locale,
            day=day,
            zone=zone,
            rows=rows,
            public_url=self.settings.public_url,
        )
        return self._params(email_)


def _attachment(data: bytes, content_type: str) -> dict:
    return {"filename": "invite.ics", "content": base64.b64encode(data).decode("ascii"), "content_type": content_type}
