import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { isoInZone, localInputToInstant, longDateTime } from "../../../lib/tz.js";
import { useCreateTimeOff } from "../api/create-time-off.js";
import { useDeleteTimeOff } from "../api/delete-time-off.js";

export function TimeOffEditor({ doctorId, zone, items }) {
  const { t, locale } = useI18n();
  const create = useCreateTimeOff();
  const remove = useDeleteTimeOff();
  const [form, setForm] = useState({ starts_at: "", ends_at: "", reason: "" });
  const submit = (e) => {
    e.preventDefault();
    create.mutate({
      doctorId,
      starts_at: isoInZone(localInputToInstant(form.starts_at, zone), zone),
      ends_at: isoInZone(localInputToInstant(form.ends_at, zone), zone),
      ...(form.reason ? { reason: form.reason } : {}),
    }, { onSuccess: () => setForm({ starts_at: "", ends_at: "", reason: "" }) });
  };
  return (
    <section className="panel" aria-labelledby="timeoff-title">
      <h2 id="timeoff-title">{t("schedule.timeOff")}</h2>
      {items.length === 0 ? <p className="empty">{t("schedule.noTimeOff")}</p> : (
        <ul className="appointments">
          {items.map((item) => (
            <li key={item.id} className="appointment">
              <span>{longDateTime(item.starts_at, zone, locale)} → {longDateTime(item.ends_at, zone, locale)} {item.reason && `· ${item.reason}`}</span>
              <button type="button" onClick={() => remove.mutate({ doctorId, id: item.id })}>{t("schedule.remove")}</button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="inline-form">
        <Field label={t("schedule.startsAt")} name="starts_at" type="datetime-local" required value={form.starts_at}
          onChange={(e) => setForm({ ...form, starts_at: e.target.value })} error={create.error} />
        <Field label={t("schedule.endsAt")} name="ends_at" type="datetime-local" required value={form.ends_at}
          onChange={(e) => setForm({ ...form, ends_at: e.target.value })} error={create.error} />
        <Field label={t("schedule.reason")} name="reason" value={form.reason}
          onChange={(e) => setForm({ ...form, reason: e.target.value })} error={create.error} />
        <button type="submit" disabled={create.isPending || !form.starts_at || !form.ends_at}>{t("schedule.addTimeOff")}</button>
      </form>
      <ErrorMessage error={create.error || remove.error} />
      <Notice>{create.data && t("schedule.affected", { n: create.data.affected_appointments ?? 0 })}</Notice>
    </section>
  );
}
