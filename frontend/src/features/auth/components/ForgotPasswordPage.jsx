import { useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useRequestReset } from "../api/password-reset.js";

export default function ForgotPasswordPage() {
  const { t } = useI18n();
  const request = useRequestReset();
  const [email, setEmail] = useState("");
  const submit = (e) => {
    e.preventDefault();
    request.mutate({ email });
  };
  return (
    <div className="auth-card">
      <h1>{t("password.forgotTitle")}</h1>
      <p>{t("password.forgotHelp")}</p>
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={request.error} />
        <Field label={t("auth.email")} name="email" type="email" autoComplete="username" required
          value={email} onChange={(e) => setEmail(e.target.value)} error={request.error} />
        <button type="submit" className="primary" disabled={request.isPending}>
          {request.isPending ? t("auth.submitting") : t("password.send")}
        </button>
      </form>
      <Notice>{request.isSuccess && t("password.sent")}</Notice>
      <p><Link to="/login">{t("auth.signIn")}</Link></p>
    </div>
  );
}
