import { useState } from "react";
import { Link, useLocation } from "react-router";
import { ErrorMessage, Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useLogin } from "../api/login.js";

export function LoginPage() {
  const { t } = useI18n();
  const location = useLocation(); // keeps where to return after signing in
  const { signedIn } = useSession();
  const login = useLogin();
  const [form, setForm] = useState({ email: "", password: "" });
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    login.mutate(form, { onSuccess: signedIn });
  };
  return (
    <div className="auth-card">
      <h1>{t("auth.signIn")}</h1>
      <p>{t("auth.welcome")}</p>
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={login.error} />
        <Field label={t("auth.email")} name="email" type="email" autoComplete="username" required
          value={form.email} onChange={set("email")} error={login.error} />
        <Field label={t("auth.password")} name="password" type="password" autoComplete="current-password" required
          value={form.password} onChange={set("password")} error={login.error} />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? t("auth.submitting") : t("auth.signIn")}
        </button>
      </form>
      <p><Link to="/forgot-password">{t("password.forgot")}</Link></p>
      <p>{t("auth.noAccount")} <Link to="/register" state={location.state}>{t("auth.signUp")}</Link></p>
    </div>
  );
}
