/** The desk's list of tomorrow's patients who have not answered the reminders yet (to call them). */
import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useAppointments } from "../../../lib/queries/get-appointments.js";
import { shortTime } from "../../../lib/tz.js";
import { useNoReply } from "../api/get-no-reply.js";

export function NoReplyList({ clinicId }) {
  const { t, locale } = useI18n();
  const list = useNoReply(clinicId);
  const day = list.data?.date;
  const tomorrow = useAppointments({ from: day, to: day, clinic_id: clinicId, status: "cancelled" }, { enabled: !!day });
  const bySms = (tomorrow.data || []).filter((a) => a.confirmation === "cancelled_by_sms").length;
  if (list.isPending) return <Loading />;
  return (
    <section className="panel" aria-labelledby="no-reply-title">
      <h2 id="no-reply-title">{t("sms.noReply")}</h2>
      <ErrorMessage error={list.error || tomorrow.error} />
      {list.data && (
        <>
          <p className="muted">{t("sms.noReplyHelp", { day: list.data.date })}</p>
          {list.data.items.length === 0 ? <p>{t("sms.noReplyEmpty")}</p> : (
            <table className="stack-table">
              <thead><tr><th scope="col">{t("calendar.time")}</th><th scope="col">{t("appts.patient")}</th><th scope="col">{t("desk.doctor")}</th><th scope="col">{t("sms.phone")}</th><th scope="col">{t("app.status")}</th></tr></thead>
              <tbody>
                {list.data.items.map((a) => (
                  <tr key={a.id}>
                    <td data-label={t("calendar.time")}>{shortTime(a.starts_at, list.data.timezone, locale)}</td>
                    <td data-label={t("appts.patient")}>{a.patient_name}</td>
                    <td data-label={t("desk.doctor")}>{a.doctor_name}</td>
                    <td data-label={t("sms.phone")}>{a.patient_phone ? <a href={`tel:${a.patient_phone}`}>{a.patient_phone}</a> : "—"}</td>
                    <td data-label={t("app.status")}>{t("confirmation.unconfirmed")} ({a.sms_sent ? t("sms.smsSent") : t("sms.smsNotSent")})</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {bySms > 0 && <p>{t("sms.cancelledBySms", { n: bySms })}</p>}
        </>
      )}
    </section>
  );
}
