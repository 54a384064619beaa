/** How an appointment reads on the desk calendar: first an icon for its status (never colour alone, and
 * never clipped: it comes before everything else), the patient's name in full, then the status in words, the
 * service and the patient's SMS answer. Where the event is too narrow or too short for those words (a week
 * column, a 20-minute visit) they are visually hidden, not cut (styles.css, `@container appt`): screen
 * readers still read them and the event's tooltip says them. The legend says what each mark means. */
import { confirmationSuffix } from "../../../components/ConfirmationBadge.jsx";
import { useI18n } from "../../../lib/i18n.jsx";

export const STATUS_ICON = { booked: "●", completed: "✓", no_show: "✗", cancelled: "⊘" };
const SHOWN = ["booked", "completed", "no_show"];

export function DeskEvent({ event }) {
  const { t } = useI18n();
  const a = event.data;
  return (
    <span className="appt-body">
      <span className="appt-head">
        <span className="appt-icon" aria-hidden="true">{STATUS_ICON[a.status]}</span>
        <span className="appt-label">{a.patient_name || `#${a.patient_id}`}</span>
      </span>
      <span className="appt-meta"><span className="appt-status">{t(`status.${a.status}`)}</span>
        <span className="appt-service">{"\u00a0· "}{a.service_name}{confirmationSuffix(t, a)}</span></span>
    </span>
  );
}

export function Legend({ dragging }) {
  const { t } = useI18n();
  return (
    <ul className="legend" aria-label={t("desk.legend")}>
      {SHOWN.map((status) => (
        <li key={status}><span className={`swatch swatch-${status}`} aria-hidden="true">{STATUS_ICON[status]}</span>{t(`status.${status}`)}</li>
      ))}
      <li><span className="swatch swatch-off" aria-hidden="true" />{t("desk.offHours")}</li>
      <li><span className="swatch swatch-free" aria-hidden="true" />{dragging ? t("desk.freeNow") : t("desk.freeWhileDragging")}</li>
    </ul>
  );
}
