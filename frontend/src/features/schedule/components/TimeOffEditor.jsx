import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { isoInZone, localInputToInstant, longDateTime } from "../../../lib/tz.js";
import { useCreateTimeOff } from "../api/create-time-off.js";
import { useDeleteTimeOff } from "../api/delete-time-off.js";
import { usePreviewTimeOff } from "../api/preview-time-off.js";

/** Time off is asked for in two steps: first what it would cancel (nothing changes), then a confirmation
 * that names the count. */
export function TimeOffEditor({ doctorId, zone, items }) {
  const { t, locale } = useI18n();
  const create = useCreateTimeOff();
  const remove = useDeleteTimeOff();
  const preview = usePreviewTimeOff();
  const [form, setForm] = useState({ starts_at: "", ends_at: "", reason: "" });
  const [problems, setProblems] = useState(null);
  const [pending, setPending] = useState(null); // the body previewed, waiting for the confirmation
  const edit = (name, value) => { setForm({ ...form, [name]: value }); setPending(null); preview.reset(); };
  const check = (e) => {
    e.preventDefault();
    create.reset();
    const fields = {};
    if (!form.starts_at) fields.starts_at = t("app.required");
    if (!form.ends_at) fields.ends_at = t("app.required");
    if (form.starts_at && form.ends_at && form.ends_at <= form.starts_at) fields.ends_at = t("schedule.endAfterStart");
    if (Object.keys(fields).length) { setProblems({ code: "validation_error", fields }); return; }
    setProblems(null);
    const body = {
      doctorId,
      starts_at: isoInZone(localInputToInstant(form.starts_at, zone), zone),
      ends_at: isoInZone(localInputToInstant(form.ends_at, zone), zone),
    };
    preview.mutate(body, { onSuccess: () => setPending({ ...body, ...(form.reason.trim() ? { reason: form.reason.trim() } : {}) }) });
  };
  const confirm = () => create.mutate(pending, {
    onSuccess: () => { setForm({ starts_at: "", ends_at: "", reason: "" }); setPending(null); preview.reset(); },
  });
  const affected = preview.data?.affected_appointments || [];
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
      <form onSubmit={check} className="inline-form" noValidate>
        <Field label={t("schedule.startsAt")} name="starts_at" type="datetime-local" value={form.starts_at}
          onChange={(e) => edit("starts_at", e.target.value)} error={problems || preview.error || create.error} />
        <Field label={t("schedule.endsAt")} name="ends_at" type="datetime-local" value={form.ends_at}
          onChange={(e) => edit("ends_at", e.target.value)} error={problems || preview.error || create.error} />
        <Field label={t("schedule.reason")} name="reason" value={form.reason}
          onChange={(e) => edit("reason", e.target.value)} error={create.error} />
        <button type="submit" disabled={preview.isPending}>{t("schedule.checkTimeOff")}</button>
      </form>
      {pending && (
        <div className="confirm-box" role="region" aria-label={t("schedule.previewTitle")}>
          <h3>{t("schedule.previewTitle")}</h3>
          {affected.length === 0 ? <p>{t("schedule.previewNone")}</p> : (
            <>
              <p className="alert alert-warning">{t("schedule.previewSome", { n: affected.length })}</p>
              <ul className="affected">
                {affected.map((a) => <li key={a.id}>{longDateTime(a.starts_at, zone, locale)} · {a.patient_name} · {a.service_name}</li>)}
              </ul>
            </>
          )}
          <div className="actions">
            <button type="button" className={affected.length ? "danger" : "primary"} disabled={create.isPending} onClick={confirm}>
              {affected.length ? t("schedule.confirmCancelling", { n: affected.length }) : t("schedule.addTimeOff")}
            </button>
            <button type="button" onClick={() => { setPending(null); preview.reset(); }}>{t("app.cancel")}</button>
          </div>
        </div>
      )}
      <ErrorMessage error={problems || preview.error || create.error || remove.error} />
      <Notice>{create.data && t("schedule.affected", { n: create.data.affected_appointments ?? 0 })}</Notice>
    </section>
  );
}
