import { useEffect, useRef, useState } from "react";
import { ErrorMessage, Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { longDateTime, shortTime, zoneLabel } from "../../../lib/tz.js";
import { changeDeadline } from "../../../components/picker/slot-days.js";

/** What, with whom, where and when (clinic time, zone named): shared by the confirmation and the done screen. */
export function AppointmentSummary({ service, doctor, clinic, startsAt, endsAt, zone }) {
  const { t, locale } = useI18n();
  return (
    <dl className="summary">
      <dt>{t("book.what")}</dt><dd>{service?.name}{service ? ` (${service.duration_minutes} min)` : ""}</dd>
      <dt>{t("book.who")}</dt><dd>{doctor?.full_name}{doctor?.specialty ? ` · ${doctor.specialty}` : ""}</dd>
      <dt>{t("book.where")}</dt>
      <dd>
        {clinic?.name}
        {clinic?.address && <><br />{clinic.address}</>}
        {clinic?.phone && <><br /><a href={`tel:${clinic.phone.replace(/[^+\d]/g, "")}`}>{clinic.phone}</a></>}
      </dd>
      <dt>{t("book.when")}</dt>
      <dd>{longDateTime(startsAt, zone, locale)}–{shortTime(endsAt, zone, locale)} <small>({t("book.zoneTime", { zone: zoneLabel(zone) })})</small></dd>
    </dl>
  );
}

/** The rule, said before anything is booked: until when the appointment can be changed, and what is late. */
export function ChangeRule({ startsAt, zone, cutoffHours, now = new Date() }) {
  const { t, locale } = useI18n();
  const deadline = changeDeadline(startsAt, cutoffHours);
  return deadline > now
    ? <p className="rule">{t("book.ruleBefore", { deadline: longDateTime(deadline, zone, locale), hours: cutoffHours })}</p>
    : <p className="rule rule-late">{t("book.ruleInside", { hours: cutoffHours })}</p>;
}

/** The last step, on the page (not a dialog): focus moves to its heading, so it is never out of sight. */
export function ConfirmBooking({ doctor, service, clinic, slot, zone, signedIn, pending, error, onConfirm, onBack, onAccount }) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="panel confirm" aria-labelledby="confirm-title">
      <h2 id="confirm-title" tabIndex={-1} ref={heading}>{t("book.confirmTitle")}</h2>
      <AppointmentSummary service={service} doctor={doctor} clinic={clinic} startsAt={slot.starts_at} endsAt={slot.ends_at} zone={zone} />
      <ChangeRule startsAt={slot.starts_at} zone={zone} cutoffHours={clinic?.change_cutoff_hours ?? 24} />
      <ErrorMessage error={error} />
      {signedIn ? (
        <form onSubmit={(e) => { e.preventDefault(); onConfirm(reason.trim()); }}>
          <Field as="textarea" label={t("book.reason")} name="reason" rows={2} maxLength={500}
            value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={pending}>{pending ? t("auth.submitting") : t("book.confirm")}</button>
            <button type="button" onClick={onBack}>{t("book.otherTime")}</button>
          </div>
        </form>
      ) : (
        <div className="ask-account">
          <p>{t("book.askAccount")}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => onAccount("/register")}>{t("book.createAccount")}</button>
            <button type="button" onClick={() => onAccount("/login")}>{t("book.signIn")}</button>
            <button type="button" onClick={onBack}>{t("book.otherTime")}</button>
          </div>
        </div>
      )}
    </section>
  );
}
