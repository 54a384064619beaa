import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { api } from "../../../lib/api.js";
import { useI18n } from "../../../lib/i18n.jsx";

/** Opened from the emailed link `/verify-email?token=…`: posts the token once and says how it went. */
export default function VerifyEmailPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get("token") || "";
  const verify = useMutation({
    mutationFn: () => api("/auth/verify-email", { method: "POST", body: { token }, auth: false }),
  });
  const { mutate } = verify;
  useEffect(() => { if (token) mutate(); }, [token, mutate]);
  return (
    <div className="auth-card">
      <h1>{t("verify.title")}</h1>
      {verify.isPending && <Loading />}
      {verify.isSuccess && <p role="status">{t("verify.done")}</p>}
      {(verify.isError || !token) && (
        <ErrorMessage error={verify.error || { code: "invalid_verification_token" }} />
      )}
      <p><Link to="/">{t("verify.continue")}</Link></p>
    </div>
  );
}
