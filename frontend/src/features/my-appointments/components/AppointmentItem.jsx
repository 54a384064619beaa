import { useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, StatusBadge } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { longDateTime, zoneLabel } from "../../../lib/tz.js";
import { downloadIcs } from "../api/download-ics.js";

export function AppointmentItem({ appointment, onReschedule, onCancel }) {
  const { t, locale } = useI18n();
  const [error, setError] = useState(null);
  const zone = appointment.timezone || "Europe/Madrid";
  const active = appointment.status === "booked" && new Date(appointment.starts_at) > new Date();
  return (
    <li className="appointment">
      <div>
        <Link to={`/appointments/${appointment.id}`}><strong>{longDateTime(appointment.starts_at, zone, locale)}</strong></Link>{" "}
        <small className="muted">({zoneLabel(zone)})</small>
        <div>{appointment.service_name} · {t("appts.with", { doctor: appointment.doctor_name || "" })}</div>
        <StatusBadge status={appointment.status} />
      </div>
      <div className="actions">
        {active && <button type="button" onClick={() => onReschedule(appointment)}>{t("appts.reschedule")}</button>}
        {active && <button type="button" className="danger" onClick={() => onCancel(appointment)}>{t("appts.cancel")}</button>}
        {appointment.status !== "cancelled" && (
          <button type="button" onClick={() => downloadIcs(appointment.id).catch(setError)}>{t("appts.ics")}</button>
        )}
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}
