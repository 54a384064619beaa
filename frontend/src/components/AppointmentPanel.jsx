/** One appointment's details with the actions the caller's role has (attendance, cancel, record). */
import { useState } from "react";
import { Link } from "react-router";
import { useI18n } from "../lib/i18n.jsx";
import { useCancelAppointment, useMarkAttendance, useRescheduleAppointment } from "../lib/queries/appointment-mutations.js";
import { TimePicker } from "./picker/TimePicker.jsx";
import { longDateTime, shortTime, zoneLabel } from "../lib/tz.js";
import { ConfirmationBadge } from "./ConfirmationBadge.jsx";
import { ErrorMessage, Field, Modal, Notice, StatusBadge } from "./ui.jsx";

export function AppointmentPanel({ appointment, zone, actions = [], onClose }) {
  const { t, locale } = useI18n();
  const attendance = useMarkAttendance();
  const cancel = useCancelAppointment();
  const move = useRescheduleAppointment();
  const [moving, setMoving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const z = appointment.timezone || zone;
  const current = attendance.data || cancel.data || move.data || appointment;
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
        <dd>{longDateTime(current.starts_at, z, locale)}–{shortTime(current.ends_at, z, locale)} <small>({zoneLabel(z)})</small></dd>
        {appointment.reason && <><dt>{t("book.reason")}</dt><dd>{appointment.reason}</dd></>}
        <dt>{t("app.status")}</dt><dd><StatusBadge status={current.status} /></dd>
        <dt>{t("confirmation.label")}</dt><dd><ConfirmationBadge value={current.confirmation} /></dd>
      </dl>
      <ErrorMessage error={attendance.error || cancel.error || move.error} />
      <Notice>{(attendance.isSuccess && t("agenda.marked")) || (cancel.isSuccess && t("appts.cancelled"))
        || (move.isSuccess && t("appts.rescheduled", { when: longDateTime(move.data.starts_at, z, locale) }))}</Notice>
      <div className="actions">
        {actions.includes("attendance") && booked && started && (
          <>
            <button type="button" className="primary" disabled={attendance.isPending}
              onClick={() => attendance.mutate({ id: appointment.id, status: "completed" })}>{t("agenda.attended")}</button>
            <button type="button" disabled={attendance.isPending}
              onClick={() => attendance.mutate({ id: appointment.id, status: "no_show" })}>{t("agenda.noShow")}</button>
          </>
        )}
        {actions.includes("cancel") && booked && !confirming && (
          <button type="button" className="danger" aria-expanded={confirming}
            onClick={() => setConfirming(true)}>{t("appts.cancel")}</button>
        )}
        {actions.includes("reschedule") && booked && !started && (
          <button type="button" aria-expanded={moving} onClick={() => setMoving(!moving)}>{t("appts.reschedule")}</button>
        )}
        {actions.includes("record") && <Link className="button" to={recordLink}>{t("agenda.openRecord")}</Link>}
      </div>
      {actions.includes("attendance") && booked && !started && <p className="muted">{t("agenda.attendanceLater")}</p>}
      {confirming && booked && (
        // A destructive action: said in words, with the reason the patient will read in their email.
        <form className="confirm-box" noValidate onSubmit={(e) => {
          e.preventDefault();
          cancel.mutate({ id: appointment.id, reason: reason.trim() || undefined }, { onSuccess: () => setConfirming(false) });
        }}>
          <p><strong>{t("appts.cancelTitle")}</strong> {t("appts.cancelExplain", { patient: appointment.patient_name || `#${appointment.patient_id}` })}</p>
          <Field as="textarea" label={t("appts.cancelReason")} name="reason" rows={3} maxLength={500}
            hint={t("appts.cancelReasonHint")} value={reason} onChange={(e) => setReason(e.target.value)} error={cancel.error} />
          <div className="actions">
            <button type="submit" className="danger" disabled={cancel.isPending}>{t("appts.cancelConfirm")}</button>
            <button type="button" onClick={() => setConfirming(false)}>{t("appts.keep")}</button>
          </div>
        </form>
      )}
      {moving && booked && (
        // The keyboard way to do what dragging does on the calendar.
        <section aria-label={t("appts.pickNew")}>
          <p>{t("appts.pickNew")}</p>
          <TimePicker doctorId={appointment.doctor_id} serviceId={appointment.service_id} patientId={appointment.patient_id} zone={z}
            onPick={(slot) => move.mutate({ id: appointment.id, starts_at: slot.starts_at }, { onSuccess: () => setMoving(false) })} />
        </section>
      )}
    </Modal>
  );
}
