import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { formProblems } from "../../../lib/forms.js";
import { useI18n } from "../../../lib/i18n.jsx";
import { useCreateService } from "../api/create-service.js";
import { useUpdateService } from "../api/update-service.js";

const EMPTY = { name: "", duration_minutes: 30, buffer_minutes: 0 };

function ServiceForm({ initial, mutation, onDone, submitLabel }) {
  const { t } = useI18n();
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState(null);
  const between = (value, lo, hi) => (Number.isInteger(Number(value)) && String(value).trim() !== "" && Number(value) >= lo && Number(value) <= hi
    ? null : t("admin.between", { lo, hi }));
  const submit = (e) => {
    e.preventDefault();
    const found = formProblems(t, form, { required: ["name"],
      check: (f) => ({ duration_minutes: between(f.duration_minutes, 5, 480), buffer_minutes: between(f.buffer_minutes, 0, 240) }) });
    setProblems(found);
    if (!found) mutation.mutate({ ...form, duration_minutes: Number(form.duration_minutes), buffer_minutes: Number(form.buffer_minutes) }, { onSuccess: onDone });
  };
  const error = problems || mutation.error;
  return (
    <form className="inline-form" noValidate onSubmit={submit}>
      <Field label={t("admin.name")} name="name" aria-required="true" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={error} />
      <Field label={t("admin.duration")} name="duration_minutes" type="number" min={5} step={5} value={form.duration_minutes}
        onChange={(e) => setForm({ ...form, duration_minutes: e.target.value })} error={error} />
      <Field label={t("admin.buffer")} name="buffer_minutes" type="number" min={0} step={5} value={form.buffer_minutes}
        onChange={(e) => setForm({ ...form, buffer_minutes: e.target.value })} error={error} />
      <button type="submit" className="primary" disabled={mutation.isPending}>{submitLabel}</button>
      <ErrorMessage error={error} />
    </form>
  );
}

export function ServicesAdmin({ services }) {
  const { t } = useI18n();
  const create = useCreateService();
  const update = useUpdateService();
  const [editing, setEditing] = useState(null);
  const [done, setDone] = useState(null);
  return (
    <section aria-labelledby="services-title">
      <h2 id="services-title">{t("admin.services")}</h2>
      <Notice>{done && t(done.key)}</Notice>
      <table className="stack-table">
        <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.duration")}</th><th scope="col">{t("admin.buffer")}</th><th /></tr></thead>
        <tbody>
          {services.map((s) => (editing === s.id ? (
            <tr key={s.id}><td colSpan={4}>
              <ServiceForm initial={{ id: s.id, name: s.name, duration_minutes: s.duration_minutes, buffer_minutes: s.buffer_minutes ?? 0 }}
                mutation={update} submitLabel={t("app.save")} onDone={() => { setEditing(null); setDone({ key: "app.saved", n: Date.now() }); }} />
            </td></tr>
          ) : (
            <tr key={s.id}>
              <td data-label={t("admin.name")}>{s.name}</td><td data-label={t("admin.duration")}>{s.duration_minutes}</td><td data-label={t("admin.buffer")}>{s.buffer_minutes ?? 0}</td>
              <td><button type="button" onClick={() => setEditing(s.id)} aria-label={`${t("admin.edit")} ${s.name}`}>{t("admin.edit")}</button></td>
            </tr>
          )))}
        </tbody>
      </table>
      <h3>{t("admin.newService")}</h3>
      <ServiceForm key={done?.n ?? 0} initial={EMPTY} mutation={create} submitLabel={t("admin.create")} onDone={() => setDone({ key: "admin.created", n: Date.now() })} />
    </section>
  );
}
