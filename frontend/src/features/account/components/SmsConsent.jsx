/** A patient's explicit consent to SMS/WhatsApp reminders (stored with its time by PATCH /api/me). */
import { useState } from "react";
import { ErrorMessage, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useUpdateMe } from "../api/update-me.js";

export function SmsConsent({ user }) {
  const { t, locale } = useI18n();
  const update = useUpdateMe();
  const current = update.data || user;
  const [wanted, setWanted] = useState(null); // the box follows the click at once, the server's answer after
  const checked = update.isPending && wanted !== null ? wanted : !!current.sms_opt_in;
  const since = current.sms_opt_in && current.sms_opt_in_at
    ? new Date(current.sms_opt_in_at).toLocaleString(locale === "en" ? "en-GB" : "es-ES") : null;
  return (
    <section className="panel" aria-labelledby="sms-title">
      <h2 id="sms-title">{t("sms.title")}</h2>
      <p>{t("sms.help")}</p>
      {current.phone ? (
        <label className="check">
          <input type="checkbox" name="sms_opt_in" checked={checked} disabled={update.isPending}
            onChange={(e) => { setWanted(e.target.checked); update.mutate({ sms_opt_in: e.target.checked }); }} />
          {" "}{t("sms.consent", { phone: current.phone })}
        </label>
      ) : <p className="muted">{t("sms.needPhone")}</p>}
      {since && <p className="muted">{t("sms.since", { when: since })}</p>}
      <ErrorMessage error={update.error} />
      <Notice>{update.isSuccess && t("sms.saved")}</Notice>
    </section>
  );
}
