import { useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, StatusBadge } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { changeDeadline } from "../../../components/picker/slot-days.js";
import { longDateTime, zoneLabel } from "../../../lib/tz.js";
import { downloadIcs } from "../../../lib/download-ics.js";

/** Change only until the cutoff (the button is gone after it); cancel until the start (late inside the cutoff). */
export function AppointmentItem({ appointment, clinic, onReschedule, onCancel }) {
  const { t, locale } = useI18n();
  const [error, setError] = useState(null);
  const zone = appointment.timezone;
  const now = new Date();
  const active = appointment.status === "booked" && new Date(appointment.starts_at) > now;
  const cutoff = clinic?.change_cutoff_hours ?? 24;
  const deadline = changeDeadline(appointment.starts_at, cutoff);
  const changeable = active && deadline > now;
  return (
    <li className="appointment">
      <div>
        <Link to={`/appointments/${appointment.id}`}><strong>{longDateTime(appointment.starts_at, zone, locale)}</strong></Link>{" "}
        <small className="muted">({zoneLabel(zone)})</small>
        <div>{appointment.service_name} · {t("appts.with", { doctor: appointment.doctor_name || "" })}</div>
        <StatusBadge status={appointment.status} />
        {appointment.status === "cancelled" && appointment.late_cancellation && <span className="badge badge-late">{t("appts.late")}</span>}
        {active && (
          <p className="muted deadline">
            {changeable ? t("appts.changeUntil", { deadline: longDateTime(deadline, zone, locale) }) : t("appts.lateOnly", { hours: cutoff })}
            {!changeable && clinic?.phone && ` ${t("appts.callClinic", { clinic: clinic.name, phone: clinic.phone })}`}
          </p>
        )}
      </div>
      <div className="actions">
        {changeable && <button type="button" onClick={() => onReschedule(appointment)}>{t("appts.reschedule")}</button>}
        {active && <button type="button" className="danger" onClick={() => onCancel(appointment)}>{t("appts.cancel")}</button>}
        {appointment.status !== "cancelled" && (
          <button type="button" onClick={() => downloadIcs(appointment.id).catch(setError)}>{t("appts.ics")}</button>
        )}
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}
