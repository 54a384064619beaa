import { useState } from "react";
import { Link, useLocation } from "react-router";
import { ErrorMessage, Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useRegister } from "../api/register.js";

export function RegisterPage() {
  const { t, locale } = useI18n();
  const location = useLocation(); // keeps where to return after signing up
  const { signedIn } = useSession();
  const register = useRegister();
  const [form, setForm] = useState({ full_name: "", email: "", password: "", phone: "" });
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const body = { ...form, locale };
    if (!body.phone) delete body.phone;
    register.mutate(body, { onSuccess: signedIn });
  };
  return (
    <div className="auth-card">
      <h1>{t("auth.signUp")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={register.error} />
        <Field label={t("auth.fullName")} name="full_name" autoComplete="name" required
          value={form.full_name} onChange={set("full_name")} error={register.error} />
        <Field label={t("auth.email")} name="email" type="email" autoComplete="email" required
          value={form.email} onChange={set("email")} error={register.error} />
        <Field label={t("auth.password")} name="password" type="password" autoComplete="new-password" required
          value={form.password} onChange={set("password")} error={register.error} />
        <Field label={t("auth.phone")} name="phone" type="tel" autoComplete="tel"
          value={form.phone} onChange={set("phone")} error={register.error} />
        <button type="submit" className="primary" disabled={register.isPending}>
          {register.isPending ? t("auth.submitting") : t("auth.signUp")}
        </button>
      </form>
      <p>{t("auth.haveAccount")} <Link to="/login" state={location.state}>{t("auth.signIn")}</Link></p>
    </div>
  );
}
