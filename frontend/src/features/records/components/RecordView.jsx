import { useI18n } from "../../../lib/i18n.jsx";
import { zoneLabel } from "../../../lib/tz.js";

const LISTS = ["allergies", "conditions", "medications"];

/** Record times carry no clinic: they are shown in `zone` (the doctor's clinic, or the patient's browser). */
function formatAt(iso, locale, zone) {
  return new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "es-ES", { dateStyle: "medium", timeStyle: "short", timeZone: zone })
    .format(new Date(iso));
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function RecordLists({ record }) {
  const { t } = useI18n();
  return (
    <div className="record-lists">
      {LISTS.map((name) => (
        <section key={name} aria-labelledby={`list-${name}`}>
          <h3 id={`list-${name}`}>{t(`record.${name}`)}</h3>
          {(record[name] || []).length === 0 ? <p className="muted">—</p> : (
            <ul>{record[name].map((item) => <li key={item}>{item}</li>)}</ul>
          )}
        </section>
      ))}
    </div>
  );
}

export function RecordEntries({ entries, zone }) {
  const { t, locale } = useI18n();
  const sorted = [...(entries || [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <section aria-labelledby="entries-title">
      <h2 id="entries-title">{t("record.entries")}</h2>
      <p className="tz-note">{t("record.timesIn", { zone: zoneLabel(zone) })}</p>
      {sorted.length === 0 ? <p className="empty">{t("record.noEntries")}</p> : (
        <ol className="entries">
          {sorted.map((entry) => (
            <li key={entry.id}>
              <time dateTime={entry.created_at}>{formatAt(entry.created_at, locale, zone)}</time>
              {entry.author_name && <span className="muted"> · {entry.author_name}</span>}
              <p>{entry.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export { formatAt, LISTS };
