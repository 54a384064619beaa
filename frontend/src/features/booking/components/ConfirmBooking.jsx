import { useState } from "react";
import { ErrorMessage, Field, Modal } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { longDateTime, zoneLabel } from "../../../lib/tz.js";

/** The last step: what, with whom, when (clinic time), an optional reason, confirm. */
export function ConfirmBooking({ doctor, service, slot, zone, pending, error, onConfirm, onClose }) {
  const { t, locale } = useI18n();
  const [reason, setReason] = useState("");
  return (
    <Modal title={t("book.confirmTitle")} onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); onConfirm(reason.trim()); }}>
        <dl className="summary">
          <dt>{t("book.service")}</dt><dd>{service?.name}</dd>
          <dt>{t("book.doctor")}</dt><dd>{doctor?.full_name}</dd>
          <dt>{t("book.when")}</dt>
          <dd>{longDateTime(slot.starts_at, zone, locale)} <small>({zoneLabel(zone)})</small></dd>
        </dl>
        <ErrorMessage error={error} />
        <Field as="textarea" label={t("book.reason")} name="reason" rows={2} maxLength={500}
          value={reason} onChange={(e) => setReason(e.target.value)} error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
          <button type="submit" className="primary" disabled={pending}>{pending ? t("auth.submitting") : t("book.confirm")}</button>
        </div>
      </form>
    </Modal>
  );
}
