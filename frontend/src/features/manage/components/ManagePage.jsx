/**
 * `/a/:token`: the appointment behind an email's or SMS's link, without signing in. See it, add it to a
 * calendar, move it, cancel it (saying when that is a late cancellation); or accept a waitlist offer.
 * Everything is shown in the clinic's time zone.
 */
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ErrorMessage, Loading, Modal, Notice, StatusBadge } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { longDateTime, zoneLabel } from "../../../lib/tz.js";
import { useAcceptOffer, useCancelAppointment, useMoveAppointment } from "../api/change-manage-link.js";
import { managePath, useManageLink } from "../api/get-manage-link.js";
import { ManageSlots } from "./ManageSlots.jsx";

function Details({ link }) {
  const { t, locale } = useI18n();
  const zone = link.timezone;
  return (
    <dl className="manage-details">
      <dt>{t("manage.what")}</dt><dd>{link.service_name}</dd>
      <dt>{t("manage.who")}</dt><dd>{link.doctor_name}</dd>
      <dt>{t("manage.where")}</dt><dd>{link.clinic_name}{link.clinic_address ? `, ${link.clinic_address}` : ""}</dd>
      <dt>{t("manage.when")}</dt>
      <dd><strong>{longDateTime(link.starts_at, zone, locale)}</strong> <small className="muted">({zoneLabel(zone)})</small></dd>
    </dl>
  );
}

function CalendarLinks({ token, calendar }) {
  const { t } = useI18n();
  if (!calendar) return null;
  return (
    <section aria-labelledby="manage-calendar">
      <h2 id="manage-calendar">{t("manage.addToCalendar")}</h2>
      <ul className="manage-calendar">
        <li><a className="button" href={calendar.google} target="_blank" rel="noopener noreferrer">Google Calendar</a></li>
        <li><a className="button" href={calendar.outlook} target="_blank" rel="noopener noreferrer">Outlook.com</a></li>
        <li><a className="button" href={`/api${managePath(token)}/ics`} download="cita.ics">{t("manage.ics")}</a></li>
      </ul>
    </section>
  );
}

function CancelDialog({ token, link, onDone, onClose }) {
  const { t, locale } = useI18n();
  const cancel = useCancelAppointment(token);
  return (
    <Modal title={t("manage.cancelTitle")} onClose={onClose}>
      <p>{longDateTime(link.starts_at, link.timezone, locale)} · {link.service_name}</p>
      {link.late_if_cancelled
        ? <p className="alert alert-error">{t("manage.lateWarning", { when: longDateTime(link.change_until, link.timezone, locale) })}</p>
        : <p className="muted">{t("manage.cancelFree")}</p>}
      <ErrorMessage error={cancel.error} />
      <div className="actions">
        <button type="button" onClick={onClose}>{t("manage.keep")}</button>
        <button type="button" className="danger" disabled={cancel.isPending}
          onClick={() => cancel.mutate({ token }, { onSuccess: (a) => onDone(a.late_cancellation ? "manage.cancelledLate" : "manage.cancelled") })}>
          {t("manage.cancelConfirm")}
        </button>
      </div>
    </Modal>
  );
}

function Change({ token, link, onDone, onClose }) {
  const { t, locale } = useI18n();
  const move = useMoveAppointment(token);
  const [slot, setSlot] = useState(null);
  return (
    <section className="manage-change" aria-labelledby="manage-change-title">
      <h2 id="manage-change-title">{t("manage.changeTitle")}</h2>
      <ErrorMessage error={move.error} />
      {slot ? (
        <div>
          <p>{t("manage.moveTo")} <strong>{longDateTime(slot.starts_at, link.timezone, locale)}</strong></p>
          <div className="actions">
            <button type="button" onClick={() => { move.reset(); setSlot(null); }}>{t("manage.back")}</button>
            <button type="button" className="primary" disabled={move.isPending}
              onClick={() => move.mutate({ token, starts_at: slot.starts_at }, { onSuccess: () => onDone("manage.moved") })}>
              {t("manage.confirmMove")}
            </button>
          </div>
        </div>
      ) : (
        <>
          <ManageSlots token={token} zone={link.timezone} currentStart={link.starts_at} onPick={setSlot} />
          <div className="actions"><button type="button" onClick={onClose}>{t("manage.back")}</button></div>
        </>
      )}
    </section>
  );
}

function Offer({ token, link }) {
  const { t, locale } = useI18n();
  const accept = useAcceptOffer(token);
  const navigate = useNavigate();
  return (
    <>
      <h1>{t("manage.offerTitle")}</h1>
      <p>{t("manage.offerHeld", { until: longDateTime(link.hold_expires_at, link.timezone, locale) })}</p>
      <Details link={link} />
      <ErrorMessage error={accept.error} />
      <div className="actions">
        <button type="button" className="primary" disabled={accept.isPending}
          onClick={() => accept.mutate({ token }, {
            onSuccess: (answer) => navigate(`/a/${answer.manage_token}`, { replace: true, state: { notice: "manage.accepted" } }),
          })}>
          {t("manage.accept")}
        </button>
      </div>
    </>
  );
}

/** One page per token: accepting an offer moves to the new appointment's link, a fresh page. */
export default function ManagePage() {
  const { token } = useParams();
  return <ManageLinkPage key={token} token={token} />;
}

function ManageLinkPage({ token }) {
  const { t, locale } = useI18n();
  const link = useManageLink(token);
  const navigate = useNavigate();
  const location = useLocation();
  const [mode, setMode] = useState(null);
  const [notice, setNotice] = useState(() => location.state?.notice || null);
  const heading = useRef(null);
  useEffect(() => { if (notice) heading.current?.focus(); }, [notice]);
  if (link.isPending) return <div className="page"><Loading /></div>;
  if (link.error) {
    const gone = link.error.status === 404;
    return (
      <div className="page manage">
        <h1>{t(gone ? "manage.deadTitle" : "manage.title")}</h1>
        {gone ? <p>{t("manage.dead")}</p> : <ErrorMessage error={link.error} />}
        <p><Link to="/login">{t("manage.signIn")}</Link></p>
      </div>
    );
  }
  const data = link.data;
  if (data.kind === "offer") return <div className="page manage"><Offer token={token} link={data} /></div>;
  const done = (key) => { setMode(null); setNotice(key); navigate(".", { replace: true, state: null }); };
  return (
    <div className="page manage">
      <h1 ref={heading} tabIndex={-1}>{t("manage.title")}</h1>
      <Notice>{notice ? t(notice, { when: longDateTime(data.starts_at, data.timezone, locale) }) : null}</Notice>
      <p>{t("manage.greeting", { name: data.patient_name || "" })}</p>
      <Details link={data} />
      {data.status !== "booked" && <p><StatusBadge status={data.status} />{data.late_cancellation && <> <span className="badge badge-no_show">{t("manage.late")}</span></>}</p>}
      {data.status === "booked" && (
        <p className="muted">{data.can_change
          ? t("manage.deadline", { when: longDateTime(data.change_until, data.timezone, locale) })
          : t("manage.pastDeadline", { when: longDateTime(data.change_until, data.timezone, locale) })}</p>
      )}
      {mode === "change" ? <Change token={token} link={data} onDone={done} onClose={() => setMode(null)} /> : (
        (data.can_change || data.can_cancel) && (
          <div className="actions">
            {data.can_change && <button type="button" className="primary" onClick={() => { setNotice(null); setMode("change"); }}>{t("manage.change")}</button>}
            {data.can_cancel && <button type="button" className="danger" onClick={() => { setNotice(null); setMode("cancel"); }}>{t("manage.cancel")}</button>}
          </div>
        )
      )}
      <CalendarLinks token={token} calendar={data.calendar} />
      {mode === "cancel" && <CancelDialog token={token} link={data} onDone={done} onClose={() => setMode(null)} />}
    </div>
  );
}
