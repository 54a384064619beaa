import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ErrorMessage } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { longDateTime } from "../../../lib/tz.js";
import { downloadIcs } from "../../../lib/download-ics.js";
import { googleCalendarUrl, outlookCalendarUrl } from "./calendar-links.js";
import { AppointmentSummary } from "./ConfirmBooking.jsx";
import { changeDeadline } from "../../../components/picker/slot-days.js";

/** After booking: what/who/where/when, add to a calendar, how and until when to change or cancel. */
export function BookingDone({ appointment, doctor, service, clinic, onAnother }) {
  const { t, locale } = useI18n();
  const heading = useRef(null);
  const [icsError, setIcsError] = useState(null);
  useEffect(() => heading.current?.focus(), []);
  const zone = appointment.timezone || clinic?.timezone;
  const cutoff = clinic?.change_cutoff_hours ?? 24;
  const deadline = changeDeadline(appointment.starts_at, cutoff);
  const changeable = deadline > new Date();
  const title = `${service?.name || appointment.service_name} · ${doctor?.full_name || appointment.doctor_name}`;
  const location = [clinic?.name, clinic?.address].filter(Boolean).join(", ");
  const details = [clinic?.phone ? t("book.callClinic", { phone: clinic.phone }) : "", t("book.manageIn")].filter(Boolean).join("\n");
  const event = { title, start: appointment.starts_at, end: appointment.ends_at, details, location };
  return (
    <section className="panel done" aria-labelledby="done-title">
      <h2 id="done-title" tabIndex={-1} ref={heading}>{t("book.doneTitle")}</h2>
      <p>{t("book.doneIntro")}</p>
      <AppointmentSummary service={service} doctor={doctor} clinic={clinic} startsAt={appointment.starts_at}
        endsAt={appointment.ends_at} zone={zone} />
      <h3>{t("book.addTo")}</h3>
      <ul className="calendar-links">
        <li><a className="button" href={googleCalendarUrl(event)} target="_blank" rel="noopener noreferrer">{t("book.google")}</a></li>
        <li><a className="button" href={outlookCalendarUrl(event)} target="_blank" rel="noopener noreferrer">{t("book.outlook")}</a></li>
        <li><button type="button" onClick={() => downloadIcs(appointment.id).catch(setIcsError)}>{t("book.apple")}</button></li>
        <li><Link className="button" to="/account">{t("book.subscribe")}</Link></li>
      </ul>
      <ErrorMessage error={icsError} />
      <h3>{t("book.changeTitle")}</h3>
      {changeable
        ? <p>{t("book.ruleBefore", { deadline: longDateTime(deadline, zone, locale), hours: cutoff })}</p>
        : <p>{t("book.ruleInside", { hours: cutoff })}</p>}
      <p>{t(changeable ? "book.manageIn" : "book.cancelIn")} <Link to="/appointments">{t("book.seeMine")}</Link></p>
      {clinic?.phone && <p>{t("book.callClinic", { phone: clinic.phone })}</p>}
      <div className="actions"><button type="button" onClick={onAnother}>{t("book.another")}</button></div>
    </section>
  );
}
