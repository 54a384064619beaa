import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useSession } from "../../../lib/session.jsx";
import { useRecord } from "../api/get-record.js";
import { useRecordAudit } from "../api/get-record-audit.js";
import { browserZone, formatAt, RecordEntries, RecordLists } from "./RecordView.jsx";

function actionLabel(t, action) {
  const key = `record.actions.${String(action).replace(/\./g, "_")}`;
  const text = t(key);
  return text === key ? t("record.actions.other") : text;
}

export default function MyRecordPage() {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const record = useRecord(user.id);
  const audit = useRecordAudit(user.id);
  return (
    <div className="page">
      <h1>{t("record.mine")}</h1>
      <ErrorMessage error={record.error} />
      {record.isPending ? <Loading /> : record.data && (
        <>
          <RecordLists record={record.data} />
          <RecordEntries entries={record.data.entries} zone={browserZone()} />
        </>
      )}
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">{t("record.audit")}</h2>
        <ErrorMessage error={audit.error} />
        {audit.isPending ? <Loading /> : (
          <table className="stack-table">
            <thead><tr><th scope="col">{t("record.auditAt")}</th><th scope="col">{t("record.auditActor")}</th><th scope="col">{t("record.auditAction")}</th><th scope="col">{t("record.auditOutcome")}</th></tr></thead>
            <tbody>
              {(audit.data || []).map((row, i) => (
                <tr key={`${row.at}-${i}`}>
                  <td data-label={t("record.auditAt")}>{formatAt(row.at, locale, browserZone())}</td>
                  <td data-label={t("record.auditActor")}>{row.actor_name || (row.actor_id === user.id ? user.full_name : row.actor_id ? `#${row.actor_id}` : t("record.someoneElse"))}{row.actor_role ? ` (${t(`roles.${row.actor_role}`)})` : ""}</td>
                  <td data-label={t("record.auditAction")}>{actionLabel(t, row.action)}</td>
                  <td data-label={t("record.auditOutcome")}>{row.outcome ? t(`record.outcomes.${row.outcome}`) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
