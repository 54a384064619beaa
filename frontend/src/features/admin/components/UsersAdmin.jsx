import { useState } from "react";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { formProblems } from "../../../lib/forms.js";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useCreateUser } from "../api/create-user.js";
import { useUsers } from "../api/get-users.js";
import { useSendReset } from "../api/send-reset.js";
import { useUpdateUser } from "../api/update-user.js";

const ROLES = ["patient", "doctor", "receptionist", "admin"];

/** Role, active and a reset link for one account. Deactivating signs it out everywhere; nobody changes
 * their own role or deactivates themselves (the server refuses too). */
function AccountActions({ account, onDone }) {
  const { t } = useI18n();
  const { user } = useSession();
  const update = useUpdateUser();
  const reset = useSendReset();
  const own = account.id === user?.id;
  const next = !account.active;
  return (
    <div className="row-actions">
      {own ? <span className="muted">{t("accounts.you")}</span> : (
        <>
          <label className="sr-only" htmlFor={`role-${account.id}`}>{t("admin.roleOf", { name: account.full_name })}</label>
          <select id={`role-${account.id}`} value={account.role} disabled={update.isPending}
            onChange={(e) => update.mutate({ id: account.id, role: e.target.value }, { onSuccess: () => onDone("admin.roleChanged") })}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
          </select>
          <button type="button" disabled={update.isPending} aria-label={`${t(next ? "accounts.reactivate" : "accounts.deactivate")}: ${account.full_name}`}
            onClick={() => update.mutate({ id: account.id, active: next }, { onSuccess: () => onDone(next ? "accounts.reactivated" : "accounts.deactivated") })}>
            {t(next ? "accounts.reactivate" : "accounts.deactivate")}
          </button>
        </>
      )}
      {account.active !== false && (
        <button type="button" disabled={reset.isPending} aria-label={`${t("admin.sendReset")}: ${account.full_name}`}
          onClick={() => reset.mutate({ email: account.email }, { onSuccess: () => onDone("admin.resetSent") })}>{t("admin.sendReset")}</button>
      )}
      <ErrorMessage error={update.error || reset.error} />
    </div>
  );
}

export function UsersAdmin() {
  const { t } = useI18n();
  const [filters, setFilters] = useState({ q: "", role: "" });
  const users = useUsers(filters);
  const create = useCreateUser();
  const empty = { full_name: "", email: "", role: "receptionist", locale: "es" };
  const [form, setForm] = useState(empty);
  const [problems, setProblems] = useState(null);
  const [done, setDone] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const found = formProblems(t, form, { required: ["full_name", "email"], emails: ["email"] });
    setProblems(found);
    if (found) return;
    // No password: the new user gets an invitation email with a link to choose their own.
    create.mutate({ ...form, email: form.email.trim() }, { onSuccess: () => { setForm(empty); setDone("admin.invited"); } });
  };
  const error = problems || create.error;
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{t("admin.users")}</h2>
      <div className="filters">
        <Field label={t("admin.search")} name="q" type="search" value={filters.q} onChange={(e) => setFilters({ ...filters, q: e.target.value })} />
        <Field as="select" label={t("admin.role")} name="role_filter" value={filters.role} onChange={(e) => setFilters({ ...filters, role: e.target.value })}>
          <option value="">{t("book.any")}</option>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </Field>
      </div>
      <Notice>{done && t(done)}</Notice>
      <ErrorMessage error={users.error} />
      {users.isPending ? <Loading /> : (
        <table className="stack-table">
          <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.email")}</th><th scope="col">{t("admin.role")}</th><th scope="col">{t("app.status")}</th><th scope="col">{t("admin.actions")}</th></tr></thead>
          <tbody>{users.data.map((u) => (
            <tr key={u.id}>
              <td data-label={t("admin.name")}>{u.full_name}</td><td data-label={t("admin.email")} className="break">{u.email}</td>
              <td data-label={t("admin.role")}>{t(`roles.${u.role}`)}</td>
              <td data-label={t("app.status")}>{u.active === false ? t("admin.inactive") : t("admin.active")}</td>
              <td data-label={t("admin.actions")}><AccountActions account={u} onDone={setDone} /></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>{t("admin.newUser")}</h3>
      <p className="muted">{t("admin.inviteHelp")}</p>
      <form className="inline-form" noValidate onSubmit={submit}>
        <Field label={t("admin.name")} name="full_name" aria-required="true" value={form.full_name} onChange={set("full_name")} error={error} />
        <Field label={t("admin.email")} name="email" type="email" aria-required="true" value={form.email} onChange={set("email")} error={error} />
        <Field as="select" label={t("admin.role")} name="role" value={form.role} onChange={set("role")} error={error}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </Field>
        <Field as="select" label={t("app.language")} name="locale" value={form.locale} onChange={set("locale")} error={error}>
          <option value="es">Español</option>
          <option value="en">English</option>
        </Field>
        <button type="submit" className="primary" disabled={create.isPending}>{t("admin.invite")}</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
