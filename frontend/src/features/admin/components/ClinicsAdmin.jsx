import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { formProblems } from "../../../lib/forms.js";
import { useI18n } from "../../../lib/i18n.jsx";
import { browserZone } from "../../../lib/tz.js";
import { isZone, TimeZoneField } from "./TimeZoneField.jsx";
import { useCreateClinic } from "../api/create-clinic.js";
import { useUpdateClinic } from "../api/update-clinic.js";

const EMPTY = { name: "", timezone: browserZone(), address: "", phone: "" };

/** Empty optional fields are sent as null: clearing the address or phone removes it. */
const body = (form) => ({ ...form, address: (form.address || "").trim() || null, phone: (form.phone || "").trim() || null });

function ClinicForm({ initial, mutation, onDone, submitLabel }) {
  const { t } = useI18n();
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const found = formProblems(t, form, { required: ["name", "timezone"],
      check: (f) => ({ timezone: f.timezone && !isZone(f.timezone) ? t("admin.unknownZone") : null }) });
    setProblems(found);
    if (!found) mutation.mutate(body(form), { onSuccess: onDone });
  };
  const error = problems || mutation.error;
  return (
    <form className="inline-form" noValidate onSubmit={submit}>
      <Field label={t("admin.name")} name="name" aria-required="true" value={form.name} onChange={set("name")} error={error} />
      <TimeZoneField value={form.timezone} onChange={(timezone) => setForm({ ...form, timezone })} error={error} />
      <Field label={t("admin.address")} name="address" value={form.address || ""} onChange={set("address")} error={error}
        autoComplete="off" maxLength={1000} />
      <Field label={t("admin.phone")} name="phone" type="tel" value={form.phone || ""} onChange={set("phone")} error={error}
        autoComplete="off" maxLength={40} />
      <button type="submit" className="primary" disabled={mutation.isPending}>{submitLabel}</button>
      <ErrorMessage error={error} />
    </form>
  );
}

export function ClinicsAdmin({ clinics }) {
  const { t } = useI18n();
  const create = useCreateClinic();
  const update = useUpdateClinic();
  const [editing, setEditing] = useState(null);
  const [done, setDone] = useState(null);
  return (
    <section aria-labelledby="clinics-title">
      <h2 id="clinics-title">{t("admin.clinics")}</h2>
      <Notice>{done && t(done.key)}</Notice>
      <table className="stack-table">
        <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.timezone")}</th><th scope="col">{t("admin.address")}</th><th scope="col">{t("admin.phone")}</th><th /></tr></thead>
        <tbody>
          {clinics.map((c) => (editing === c.id ? (
            <tr key={c.id}><td colSpan={5}>
              <ClinicForm initial={{ id: c.id, name: c.name, timezone: c.timezone, address: c.address || "", phone: c.phone || "" }} mutation={update}
                submitLabel={t("app.save")} onDone={() => { setEditing(null); setDone({ key: "app.saved", n: Date.now() }); }} />
            </td></tr>
          ) : (
            <tr key={c.id}>
              <td data-label={t("admin.name")}>{c.name}</td><td data-label={t("admin.timezone")}>{c.timezone}</td><td data-label={t("admin.address")}>{c.address}</td><td data-label={t("admin.phone")}>{c.phone}</td>
              <td><button type="button" onClick={() => setEditing(c.id)} aria-label={`${t("admin.edit")} ${c.name}`}>{t("admin.edit")}</button></td>
            </tr>
          )))}
        </tbody>
      </table>
      <h3>{t("admin.newClinic")}</h3>
      <ClinicForm key={done?.n ?? 0} initial={EMPTY} mutation={create} submitLabel={t("admin.create")} onDone={() => setDone({ key: "admin.created", n: Date.now() })} />
    </section>
  );
}
