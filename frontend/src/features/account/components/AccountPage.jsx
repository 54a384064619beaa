import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { api } from "../../../lib/api.js";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useExport } from "../api/get-export.js";
import { useRequestExport } from "../api/request-export.js";
import { useUpdateMe } from "../api/update-me.js";
import { CalendarLink } from "./CalendarLink.jsx";
import { Security } from "./Security.jsx";
import { SmsConsent } from "./SmsConsent.jsx";

function Profile({ user }) {
  const { t } = useI18n();
  const update = useUpdateMe();
  const [form, setForm] = useState({ full_name: user.full_name || "", phone: user.phone || "" });
  return (
    <form className="panel" onSubmit={(e) => { e.preventDefault(); update.mutate({ full_name: form.full_name, phone: form.phone || null }); }}>
      <h2>{t("account.profile")}</h2>
      <p className="muted">{user.email}</p>
      <Field label={t("auth.fullName")} name="full_name" value={form.full_name} required
        onChange={(e) => setForm({ ...form, full_name: e.target.value })} error={update.error} />
      <Field label={t("auth.phone")} name="phone" type="tel" value={form.phone}
        onChange={(e) => setForm({ ...form, phone: e.target.value })} error={update.error} />
      <button type="submit" disabled={update.isPending}>{t("app.save")}</button>
      <ErrorMessage error={update.error} />
      <Notice>{update.isSuccess && t("app.saved")}</Notice>
    </form>
  );
}

/** Until the address is confirmed, say so and offer the link again. */
function VerifyAddress({ user }) {
  const { t } = useI18n();
  const resend = useMutation({ mutationFn: () => api("/me/verify-email", { method: "POST" }) });
  if (user.email_verified !== false) return null;
  return (
    <section className="panel" aria-labelledby="verify-title">
      <h2 id="verify-title">{t("verify.title")}</h2>
      <p>{t("verify.pending", { email: user.email })}</p>
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending || resend.isSuccess}>
        {t("verify.resend")}
      </button>
      <ErrorMessage error={resend.error} />
      <Notice>{resend.isSuccess && t("verify.sent")}</Notice>
    </section>
  );
}

function DataExport() {
  const { t } = useI18n();
  const request = useRequestExport();
  const job = useExport(request.data?.id);
  const state = job.data || request.data;
  const ready = state?.status === "ready" && state.document;
  const save = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(state.document, null, 2)], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "mis-datos.json";
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">{t("account.export")}</h2>
      <p>{t("account.exportHelp")}</p>
      <button type="button" onClick={() => request.mutate()} disabled={request.isPending}>{t("account.exportRequest")}</button>
      <ErrorMessage error={request.error || job.error} />
      {state && <p role="status">{t("account.exportStatus", { status: t(`account.exportStates.${state.status}`) })}</p>}
      {ready && <button type="button" className="primary" onClick={save}>{t("account.exportDownload")}</button>}
    </section>
  );
}

export default function AccountPage() {
  const { t } = useI18n();
  const { user } = useSession();
  return (
    <div className="page">
      <h1>{t("account.title")}</h1>
      <Profile user={user} />
      <VerifyAddress user={user} />
      {user.role === "patient" && <SmsConsent user={user} />}
      {(user.role === "patient" || user.role === "doctor") && <CalendarLink />}
      {user.role === "patient" && <DataExport />}
      <Security />
    </div>
  );
}
