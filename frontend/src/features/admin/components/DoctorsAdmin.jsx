import { useState } from "react";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { useCreateDoctor } from "../api/create-doctor.js";

export function DoctorsAdmin({ clinics, services }) {
  const { t } = useI18n();
  const doctors = useDoctors({});
  const create = useCreateDoctor();
  const empty = { full_name: "", email: "", password: "", specialty: "", clinic_id: String(clinics[0]?.id ?? ""), service_ids: [] };
  const [form, setForm] = useState(empty);
  const [done, setDone] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const toggle = (id) => setForm({ ...form, service_ids: form.service_ids.includes(id) ? form.service_ids.filter((x) => x !== id) : [...form.service_ids, id] });
  const submit = (e) => {
    e.preventDefault();
    create.mutate({ ...form, clinic_id: Number(form.clinic_id) }, { onSuccess: () => { setForm(empty); setDone({ key: "admin.created", n: Date.now() }); } });
  };
  const clinicName = (id) => clinics.find((c) => c.id === id)?.name || "";
  const serviceNames = (ids) => services.filter((s) => (ids || []).includes(s.id)).map((s) => s.name).join(", ");
  return (
    <section aria-labelledby="doctors-title">
      <h2 id="doctors-title">{t("admin.doctors")}</h2>
      <Notice>{done && t(done.key)}</Notice>
      <ErrorMessage error={doctors.error} />
      {doctors.isPending ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.specialty")}</th><th scope="col">{t("book.clinic")}</th><th scope="col">{t("admin.services")}</th></tr></thead>
          <tbody>
            {doctors.data.map((d) => (
              <tr key={d.id}><td>{d.full_name}</td><td>{d.specialty}</td><td>{clinicName(d.clinic_id)}</td><td>{serviceNames(d.service_ids)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t("admin.create")}</h3>
      <form className="inline-form" onSubmit={submit}>
        <Field label={t("admin.name")} name="full_name" required value={form.full_name} onChange={set("full_name")} error={create.error} />
        <Field label={t("admin.email")} name="email" type="email" required value={form.email} onChange={set("email")} error={create.error} />
        <Field label={t("auth.password")} name="password" type="password" autoComplete="new-password" required value={form.password} onChange={set("password")} error={create.error} />
        <Field label={t("admin.specialty")} name="specialty" required value={form.specialty} onChange={set("specialty")} error={create.error} />
        <Field as="select" label={t("book.clinic")} name="clinic_id" value={form.clinic_id} onChange={set("clinic_id")} error={create.error}>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Field>
        <fieldset className="checks">
          <legend>{t("admin.servicesOf")}</legend>
          {services.map((s) => (
            <label key={s.id}><input type="checkbox" checked={form.service_ids.includes(s.id)} onChange={() => toggle(s.id)} /> {s.name}</label>
          ))}
          {create.error?.fields?.service_ids && <small className="field-error">{create.error.fields.service_ids}</small>}
        </fieldset>
        <button type="submit" className="primary" disabled={create.isPending}>{t("admin.create")}</button>
      </form>
      <ErrorMessage error={create.error} />
    </section>
  );
}
