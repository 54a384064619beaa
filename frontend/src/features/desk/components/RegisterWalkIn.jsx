import { useState } from "react";
import { ErrorMessage, Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useRegisterWalkIn } from "../api/register-walk-in.js";

/** Register someone who is not in the system yet (the name searched for comes in as `initialName`). */
export function RegisterWalkIn({ initialName = "", onRegistered, onCancel }) {
  const { t, locale } = useI18n();
  const register = useRegisterWalkIn();
  const [form, setForm] = useState({ full_name: initialName, phone: "", email: "", birth_date: "" });
  const set = (name) => (e) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const submit = (e) => {
    e.preventDefault();
    register.mutate({ ...form, locale }, { onSuccess: onRegistered });
  };
  return (
    <form className="walk-in" onSubmit={submit} noValidate aria-label={t("walkIn.title")}>
      <h3>{t("walkIn.title")}</h3>
      <ErrorMessage error={register.error} />
      <Field label={t("walkIn.fullName")} name="full_name" required autoComplete="off" value={form.full_name}
        onChange={set("full_name")} error={register.error} />
      <Field label={t("walkIn.phone")} name="phone" type="tel" autoComplete="off" value={form.phone}
        onChange={set("phone")} error={register.error} />
      <Field label={t("walkIn.email")} name="email" type="email" autoComplete="off" value={form.email}
        hint={t("walkIn.emailHelp")} onChange={set("email")} error={register.error} />
      <Field label={t("walkIn.birthDate")} name="birth_date" type="date" value={form.birth_date}
        onChange={set("birth_date")} error={register.error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>{t("app.cancel")}</button>
        <button type="submit" className="primary" disabled={register.isPending}>{t("walkIn.save")}</button>
      </div>
    </form>
  );
}
