import { useState } from "react";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useCreateUser } from "../api/create-user.js";
import { useUsers } from "../api/get-users.js";
import { useUpdateUser } from "../api/update-user.js";

const ROLES = ["patient", "doctor", "receptionist", "admin"];

/** Deactivating signs the account out everywhere; nobody can deactivate themselves (the server refuses too). */
function ActiveToggle({ account }) {
  const { t } = useI18n();
  const { user } = useSession();
  const update = useUpdateUser();
  if (account.id === user?.id) return <span className="muted">{t("accounts.you")}</span>;
  const next = !account.active;
  return (
    <>
      <button type="button" disabled={update.isPending} onClick={() => update.mutate({ id: account.id, active: next })}>
        {t(next ? "accounts.reactivate" : "accounts.deactivate")}
      </button>
      <ErrorMessage error={update.error} />
    </>
  );
}

export function UsersAdmin() {
  const { t } = useI18n();
  const [filters, setFilters] = useState({ q: "", role: "" });
  const users = useUsers(filters);
  const create = useCreateUser();
  const empty = { full_name: "", email: "", password: "", role: "receptionist" };
  const [form, setForm] = useState(empty);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
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
      <ErrorMessage error={users.error} />
      {users.isPending ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.email")}</th><th scope="col">{t("admin.role")}</th><th scope="col">{t("app.status")}</th><th scope="col"><span className="sr-only">{t("admin.edit")}</span></th></tr></thead>
          <tbody>{users.data.map((u) => (
            <tr key={u.id}>
              <td>{u.full_name}</td><td>{u.email}</td><td>{t(`roles.${u.role}`)}</td>
              <td>{u.active === false ? t("admin.inactive") : t("admin.active")}</td>
              <td><ActiveToggle account={u} /></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>{t("admin.newUser")}</h3>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); create.mutate(form, { onSuccess: () => setForm(empty) }); }}>
        <Field label={t("admin.name")} name="full_name" required value={form.full_name} onChange={set("full_name")} error={create.error} />
        <Field label={t("admin.email")} name="email" type="email" required value={form.email} onChange={set("email")} error={create.error} />
        <Field label={t("auth.password")} name="password" type="password" autoComplete="new-password" required value={form.password} onChange={set("password")} error={create.error} />
        <Field as="select" label={t("admin.role")} name="role" value={form.role} onChange={set("role")} error={create.error}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </Field>
        <button type="submit" className="primary" disabled={create.isPending}>{t("admin.create")}</button>
      </form>
      <ErrorMessage error={create.error} />
      <Notice>{create.isSuccess && t("admin.created")}</Notice>
    </section>
  );
}
