/** One appointment's details with the actions the caller's role has (attendance, cancel, record). */
import { Link } from "react-router";
import { useI18n } from "../lib/i18n.jsx";
import { useCancelAppointment, useMarkAttendance } from "../lib/queries/appointment-mutations.js";
import { longDateTime, shortTime, zoneLabel } from "../lib/tz.js";
import { ErrorMessage, Modal, Notice, StatusBadge } from "./ui.jsx";

export function AppointmentPanel({ appointment, zone, actions = [], onClose }) {
  const { t, locale } = useI18n();
  const attendance = useMarkAttendance();
  const cancel = useCancelAppointment();
  const z = appointment.timezone || zone;
  const current = attendance.data || cancel.data || appointment;
  const started = new Date(appointment.starts_at) <= new Date();
  const booked = current.status === "booked";
  const recordLink = `/patients/${appointment.patient_id}/record?appointment=${appointment.id}&name=${encodeURIComponent(appointment.patient_name || "")}`;
  return (
    <Modal title={t("agenda.details")} onClose={onClose}>
      <dl className="summary">
        <dt>{t("appts.patient")}</dt><dd>{appointment.patient_name || `#${appointment.patient_id}`}</dd>
        <dt>{t("book.doctor")}</dt><dd>{appointment.doctor_name}</dd>
        <dt>{t("book.service")}</dt><dd>{appointment.service_name}</dd>
        <dt>{t("book.when")}</dt>
        <dd>{longDateTime(appointment.starts_at, z, locale)}–{shortTime(appointment.ends_at, z, locale)} <small>({zoneLabel(z)})</small></dd>
        {appointment.reason && <><dt>{t("book.reason")}</dt><dd>{appointment.reason}</dd></>}
        <dt>{t("app.status")}</dt><dd><StatusBadge status={current.status} /></dd>
      </dl>
      <ErrorMessage error={attendance.error || cancel.error} />
      <Notice>{(attendance.isSuccess && t("agenda.marked")) || (cancel.isSuccess && t("appts.cancelled"))}</Notice>
      <div className="actions">
        {actions.includes("attendance") && booked && (
          <>
            <button type="button" className="primary" disabled={attendance.isPending || !started}
              onClick={() => attendance.mutate({ id: appointment.id, status: "completed" })}>{t("agenda.attended")}</button>
            <button type="button" disabled={attendance.isPending || !started}
              onClick={() => attendance.mutate({ id: appointment.id, status: "no_show" })}>{t("agenda.noShow")}</button>
          </>
        )}
        {actions.includes("cancel") && booked && (
          <button type="button" className="danger" disabled={cancel.isPending}
            onClick={() => cancel.mutate({ id: appointment.id })}>{t("appts.cancel")}</button>
        )}
        {actions.includes("record") && <Link className="button" to={recordLink}>{t("agenda.openRecord")}</Link>}
      </div>
    </Modal>
  );
}
