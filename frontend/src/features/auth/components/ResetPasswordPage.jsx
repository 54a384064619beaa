import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useConfirmReset } from "../api/password-reset.js";

/** The page a reset email links to: `/reset-password?token=…`. */
export default function ResetPasswordPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get("token") || "";
  // A walk-in's first link (`&welcome=1`): the same form, worded as choosing a password, not resetting one.
  const welcome = params.get("welcome") === "1";
  const title = welcome ? t("welcome.title") : t("password.resetTitle");
  const confirm = useConfirmReset();
  const [password, setPassword] = useState("");
  const submit = (e) => {
    e.preventDefault();
    confirm.mutate({ token, password });
  };
  const askAgain = <p><Link to="/forgot-password">{t("password.askAgain")}</Link></p>;
  if (!token) {
    return <div className="auth-card"><h1>{title}</h1><p>{t("password.missingToken")}</p>{askAgain}</div>;
  }
  if (confirm.isSuccess) {
    return (
      <div className="auth-card">
        <h1>{title}</h1>
        <Notice>{t("password.done")}</Notice>
        <p><Link to="/login">{t("auth.signIn")}</Link></p>
      </div>
    );
  }
  return (
    <div className="auth-card">
      <h1>{title}</h1>
      {welcome && <p>{t("welcome.lead")}</p>}
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={confirm.error} />
        <Field label={t("password.newPassword")} name="password" type="password" autoComplete="new-password" required
          value={password} onChange={(e) => setPassword(e.target.value)} error={confirm.error} />
        <button type="submit" className="primary" disabled={confirm.isPending}>
          {confirm.isPending ? t("auth.submitting") : t("password.save")}
        </button>
      </form>
      {confirm.error?.code === "invalid_reset_token" && askAgain}
    </div>
  );
}
