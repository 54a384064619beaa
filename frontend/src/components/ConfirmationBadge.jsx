/** The patient's answer to the reminders (confirmed, not confirmed, cancelled by SMS): in words, not only colour. */
import { useI18n } from "../lib/i18n.jsx";

export function ConfirmationBadge({ value }) {
  const { t } = useI18n();
  const state = value || "unconfirmed";
  return <span className={`badge badge-confirmation-${state}`}>{t(`confirmation.${state}`)}</span>;
}

/** The short words a calendar event's title carries for its confirmation ("" for past or attended ones). */
export function confirmationSuffix(t, appointment) {
  if (appointment.confirmation === "cancelled_by_sms") return ` · ${t("confirmation.short.cancelled_by_sms")}`;
  if (appointment.status !== "booked" || !appointment.confirmation) return "";
  return ` · ${t(`confirmation.short.${appointment.confirmation}`)}`;
}

/** Calendars hide cancelled appointments, but keep those the patient cancelled by SMS (shown as such). */
export const shownOnCalendar = (appointment) => appointment.status !== "cancelled" || appointment.confirmation === "cancelled_by_sms";
