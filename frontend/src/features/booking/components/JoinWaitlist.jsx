import { addDays } from "date-fns";
import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { dayKey, wallNow } from "../../../lib/tz.js";
import { useJoinWaitlist } from "../api/join-waitlist.js";

/** Dates are the clinic's (its "today" may not be the browser's). */
export function JoinWaitlist({ doctorId, serviceId, clinicId, zone }) {
  const { t } = useI18n();
  const join = useJoinWaitlist();
  const now = wallNow(zone);
  const today = dayKey(now);
  const [range, setRange] = useState({ from: today, to: dayKey(addDays(now, 14)) });
  const submit = (e) => {
    e.preventDefault();
    join.mutate({ doctor_id: doctorId || undefined, service_id: serviceId, clinic_id: clinicId || undefined, ...range });
  };
  return (
    <details className="panel">
      <summary>{t("waitlist.join")}</summary>
      <p>{t("waitlist.joinHelp")}</p>
      <form onSubmit={submit} className="inline-form">
        <Field label={t("waitlist.from")} name="from" type="date" min={today} value={range.from}
          onChange={(e) => setRange({ ...range, from: e.target.value })} error={join.error} />
        <Field label={t("waitlist.to")} name="to" type="date" min={range.from} value={range.to}
          onChange={(e) => setRange({ ...range, to: e.target.value })} error={join.error} />
        <button type="submit" disabled={join.isPending || !serviceId}>{t("waitlist.join")}</button>
      </form>
      <ErrorMessage error={join.error} />
      {join.isSuccess && <Notice>{t(join.data?.already_waiting ? "waitlist.already" : "waitlist.joined")}</Notice>}
    </details>
  );
}
