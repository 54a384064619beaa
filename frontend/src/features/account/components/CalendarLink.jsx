import { useState } from "react";
import { ErrorMessage, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useCalendarLink } from "../api/get-calendar-link.js";
import { useRotateCalendarLink } from "../api/rotate-calendar-link.js";

export const webcal = (link) => link?.webcal_url || (link?.url || "").replace(/^https?:\/\//, "webcal://");

export function CalendarLink() {
  const { t } = useI18n();
  const link = useCalendarLink();
  const rotate = useRotateCalendarLink();
  const [copied, setCopied] = useState("");
  const address = webcal(link.data);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
    } catch {
      document.getElementById("calendar-url")?.select();
      document.execCommand?.("copy");
    }
    setCopied(t("account.copied"));
  };
  return (
    <section className="panel" aria-labelledby="sub-title">
      <h2 id="sub-title">{t("account.subscription")}</h2>
      <p>{t("account.subscriptionHelp")}</p>
      <ErrorMessage error={link.error || rotate.error} />
      {link.isPending ? <Loading /> : link.data && (
        <>
          <label htmlFor="calendar-url" className="sr-only">{t("account.subscription")}</label>
          <input id="calendar-url" className="mono" readOnly value={address} onFocus={(e) => e.target.select()} />
          <div className="actions">
            <button type="button" className="primary" onClick={copy}>{t("account.copy")}</button>
            <a className="button" href={address}>{t("account.open")}</a>
            <button type="button" onClick={() => rotate.mutate(undefined, { onSuccess: () => setCopied(t("account.rotated")) })}
              disabled={rotate.isPending}>{t("account.rotate")}</button>
          </div>
          <Notice>{copied}</Notice>
        </>
      )}
    </section>
  );
}
