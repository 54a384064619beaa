import { useState } from "react";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { formProblems } from "../../../lib/forms.js";
import { fieldErrorText, useI18n } from "../../../lib/i18n.jsx";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { useCreateDoctor } from "../api/create-doctor.js";
import { useUpdateDoctor } from "../api/update-doctor.js";

function ServiceChecks({ services, value, onChange, error }) {
  const { t } = useI18n();
  const toggle = (id) => onChange(value.includes(id) ? value.filter((x) => x !== id) : [...value, id]);
  return (
    <fieldset className="checks">
      <legend>{t("admin.servicesOf")}</legend>
      {services.map((s) => (
        <label key={s.id}><input type="checkbox" checked={value.includes(s.id)} onChange={() => toggle(s.id)} /> {s.name}</label>
      ))}
      {error?.fields?.service_ids && <small className="field-error">{fieldErrorText(t, error, "service_ids")}</small>}
    </fieldset>
  );
}

function EditDoctor({ doctor, clinics, services, onDone }) {
  const { t } = useI18n();
  const update = useUpdateDoctor();
  const [form, setForm] = useState({ specialty: doctor.specialty, clinic_id: String(doctor.clinic_id), service_ids: doctor.service_ids || [], active: doctor.active !== false });
  const [problems, setProblems] = useState(null);
  const submit = (e) => {
    e.preventDefault();
    const found = formProblems(t, form, { required: ["specialty"] });
    setProblems(found);
    if (!found) update.mutate({ id: doctor.id, ...form, clinic_id: Number(form.clinic_id) }, { onSuccess: onDone });
  };
  return (
    <form className="inline-form" noValidate onSubmit={submit}>
      <Field label={t("admin.specialty")} name="specialty" aria-required="true" value={form.specialty} onChange={(e) => setForm({ ...form, specialty: e.target.value })} error={problems || update.error} />
      <Field as="select" label={t("book.clinic")} name="clinic_id" value={form.clinic_id} onChange={(e) => setForm({ ...form, clinic_id: e.target.value })} error={update.error}>
        {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
      </Field>
      <ServiceChecks services={services} value={form.service_ids} onChange={(ids) => setForm({ ...form, service_ids: ids })} error={update.error} />
      <label className="check"><input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} /> {t("admin.active")}</label>
      <button type="submit" className="primary" disabled={update.isPending}>{t("app.save")}</button>
      <ErrorMessage error={update.error} />
    </form>
  );
}

export function DoctorsAdmin({ clinics, services }) {
  const { t } = useI18n();
  const doctors = useDoctors({});
  const create = useCreateDoctor();
  const empty = { full_name: "", email: "", specialty: "", clinic_id: String(clinics[0]?.id ?? ""), service_ids: [] };
  const [form, setForm] = useState(empty);
  const [problems, setProblems] = useState(null);
  const [done, setDone] = useState(null);
  const [editing, setEditing] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const found = formProblems(t, form, { required: ["full_name", "email", "specialty", "clinic_id"], emails: ["email"] });
    setProblems(found);
    if (found) return;
    // No password: the doctor is emailed an invitation link and chooses their own.
    create.mutate({ ...form, clinic_id: Number(form.clinic_id) }, { onSuccess: () => { setForm(empty); setDone({ key: "admin.invited", n: Date.now() }); } });
  };
  const clinicName = (id) => clinics.find((c) => c.id === id)?.name || "";
  const serviceNames = (ids) => services.filter((s) => (ids || []).includes(s.id)).map((s) => s.name).join(", ");
  return (
    <section aria-labelledby="doctors-title">
      <h2 id="doctors-title">{t("admin.doctors")}</h2>
      <Notice>{done && t(done.key)}</Notice>
      <ErrorMessage error={doctors.error} />
      {doctors.isPending ? <Loading /> : (
        <table className="stack-table">
          <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.specialty")}</th><th scope="col">{t("book.clinic")}</th><th scope="col">{t("admin.services")}</th><th /></tr></thead>
          <tbody>
            {doctors.data.map((d) => (editing === d.id ? (
              <tr key={d.id}><td colSpan={5}>
                <strong>{d.full_name}</strong>
                <EditDoctor doctor={d} clinics={clinics} services={services} onDone={() => { setEditing(null); setDone({ key: "app.saved", n: Date.now() }); }} />
              </td></tr>
            ) : (
              <tr key={d.id}>
                <td data-label={t("admin.name")}>{d.full_name}{d.active === false && <small className="muted"> · {t("admin.inactive")}</small>}</td>
                <td data-label={t("admin.specialty")}>{d.specialty}</td><td data-label={t("book.clinic")}>{clinicName(d.clinic_id)}</td><td data-label={t("admin.services")}>{serviceNames(d.service_ids)}</td>
                <td><button type="button" onClick={() => setEditing(d.id)} aria-label={`${t("admin.edit")} ${d.full_name}`}>{t("admin.edit")}</button></td>
              </tr>
            )))}
          </tbody>
        </table>
      )}
      <h3>{t("admin.newDoctor")}</h3>
      <p className="muted">{t("admin.inviteHelp")}</p>
      <form className="inline-form" noValidate onSubmit={submit}>
        <Field label={t("admin.name")} name="full_name" aria-required="true" value={form.full_name} onChange={set("full_name")} error={problems || create.error} />
        <Field label={t("admin.email")} name="email" type="email" aria-required="true" value={form.email} onChange={set("email")} error={problems || create.error} />
        <Field label={t("admin.specialty")} name="specialty" aria-required="true" value={form.specialty} onChange={set("specialty")} error={problems || create.error} />
        <Field as="select" label={t("book.clinic")} name="clinic_id" value={form.clinic_id} onChange={set("clinic_id")} error={problems || create.error}>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Field>
        <ServiceChecks services={services} value={form.service_ids} onChange={(ids) => setForm({ ...form, service_ids: ids })} error={create.error} />
        <button type="submit" className="primary" disabled={create.isPending}>{t("admin.invite")}</button>
      </form>
      <ErrorMessage error={problems || create.error} />
    </section>
  );
}
