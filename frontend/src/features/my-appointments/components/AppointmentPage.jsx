/** One appointment, as the emails and the list link to it: `/appointments/{id}`. Change only until the clinic's
 * cutoff (the button is gone after it, the rule said instead); cancel until the start (late inside the cutoff). */
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ErrorMessage, Loading, Notice, StatusBadge } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { noticeText } from "../../../lib/notice.js";
import { longDateTime, shortTime, zoneLabel } from "../../../lib/tz.js";
import { downloadIcs } from "../../../lib/download-ics.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { changeDeadline } from "../../../components/picker/slot-days.js";
import { useAppointment } from "../api/get-appointment.js";
import { CancelDialog, RescheduleDialog } from "./AppointmentDialogs.jsx";

export default function AppointmentPage() {
  const { appointmentId } = useParams();
  const { t, locale } = useI18n();
  const valid = /^[1-9][0-9]{0,17}$/.test(appointmentId || "");
  const appointment = useAppointment(valid ? appointmentId : null);
  const [dialog, setDialog] = useState(null);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const a = appointment.data;
  const zone = a?.timezone;
  const clinics = useClinics();
  const clinic = a && clinics.data?.find((c) => c.id === a.clinic_id);
  const now = new Date();
  const active = a && a.status === "booked" && new Date(a.starts_at) > now;
  const deadline = clinic && changeDeadline(a.starts_at, clinic.change_cutoff_hours);
  const changeable = active && deadline && deadline > now;
  const finish = (message) => { setDialog(null); setDone(message); appointment.refetch(); };
  return (
    <div className="page">
      <h1>{t("appts.one")}</h1>
      <p><Link to="/appointments">{t("appts.backToList")}</Link></p>
      <Notice>{noticeText(t, locale, done)}</Notice>
      {!valid || appointment.error ? (
        // Someone else's appointment is a 404 like a missing one: say which thing was not found.
        <ErrorMessage error={appointment.error && appointment.error.status !== 404 ? appointment.error : { code: "appointment_not_found" }} />
      ) : appointment.isPending ? <Loading /> : (
        <section className="panel" aria-labelledby="appointment-when">
          <h2 id="appointment-when">
            {longDateTime(a.starts_at, zone, locale)}–{shortTime(a.ends_at, zone, locale)} <small>({zoneLabel(zone)})</small>
          </h2>
          <dl className="summary">
            <dt>{t("book.service")}</dt><dd>{a.service_name}</dd>
            <dt>{t("book.doctor")}</dt><dd>{a.doctor_name}</dd>
            {a.reason && <><dt>{t("book.reason")}</dt><dd>{a.reason}</dd></>}
            <dt>{t("app.status")}</dt><dd><StatusBadge status={a.status} /></dd>
          </dl>
          <div className="actions">
            {changeable && <button type="button" onClick={() => { setDone(null); setDialog("reschedule"); }}>{t("appts.reschedule")}</button>}
            {active && <button type="button" className="danger" onClick={() => { setDone(null); setDialog("cancel"); }}>{t("appts.cancel")}</button>}
            {a.status !== "cancelled" && (
              <button type="button" onClick={() => downloadIcs(a.id).catch(setError)}>{t("appts.ics")}</button>
            )}
          </div>
          {active && deadline && (
            <p className="muted deadline">
              {changeable ? t("appts.changeUntil", { deadline: longDateTime(deadline, zone, locale) }) : t("appts.lateOnly", { hours: clinic.change_cutoff_hours })}
              {!changeable && clinic.phone && ` ${t("appts.callClinic", { clinic: clinic.name, phone: clinic.phone })}`}
            </p>
          )}
          {a.status === "booked" && !active && <p className="muted">{t("appts.cutoff")}</p>}
          <ErrorMessage error={error} />
        </section>
      )}
      {dialog === "reschedule" && <RescheduleDialog appointment={a} onDone={finish} onClose={() => setDialog(null)} />}
      {dialog === "cancel" && <CancelDialog appointment={a} onDone={finish} onClose={() => setDialog(null)} />}
    </div>
  );
}
