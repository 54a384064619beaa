import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useChangePassword, useLogoutEverywhere } from "../api/password.js";

function ChangePassword() {
  const { t } = useI18n();
  const change = useChangePassword();
  const empty = { current_password: "", new_password: "" };
  const [form, setForm] = useState(empty);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    change.mutate(form, { onSuccess: () => setForm(empty) });
  };
  return (
    <form className="panel" onSubmit={submit} noValidate>
      <h2>{t("password.change")}</h2>
      <Field label={t("password.currentPassword")} name="current_password" type="password" autoComplete="current-password"
        required value={form.current_password} onChange={set("current_password")} error={change.error} />
      <Field label={t("password.newPassword")} name="new_password" type="password" autoComplete="new-password" required
        value={form.new_password} onChange={set("new_password")} error={change.error} />
      <button type="submit" disabled={change.isPending}>{t("password.save")}</button>
      <ErrorMessage error={change.error} />
      <Notice>{change.isSuccess && t("password.changed")}</Notice>
    </form>
  );
}

function SignOutEverywhere() {
  const { t } = useI18n();
  const { forget } = useSession();
  const everywhere = useLogoutEverywhere();
  return (
    <section className="panel" aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">{t("password.everywhere")}</h2>
      <p>{t("password.everywhereHelp")}</p>
      <button type="button" disabled={everywhere.isPending}
        onClick={() => everywhere.mutate(undefined, { onSuccess: () => forget("password.everywhereDone") })}>
        {t("password.everywhere")}
      </button>
      <ErrorMessage error={everywhere.error} />
    </section>
  );
}

/** Password change and "sign out everywhere". */
export function Security() {
  return (
    <>
      <ChangePassword />
      <SignOutEverywhere />
    </>
  );
}
