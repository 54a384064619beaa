/** Editable "HH:MM – HH:MM" ranges of one day, with our own messages (no browser bubbles). */
import { useI18n } from "../../../lib/i18n.jsx";

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Problems of a day's ranges, keyed `${prefix}.${index}.start|end`, in the app's language. */
export function rangeProblems(ranges, prefix, t) {
  const problems = {};
  ranges.forEach((r, i) => {
    if (!TIME.test(r.start || "")) problems[`${prefix}.${i}.start`] = t("schedule.badTime");
    if (!TIME.test(r.end || "")) problems[`${prefix}.${i}.end`] = t("schedule.badTime");
    else if (TIME.test(r.start || "") && r.end <= r.start) problems[`${prefix}.${i}.end`] = t("schedule.endAfterStart");
  });
  const order = ranges.map((r, i) => [r, i]).sort(([a], [b]) => (a.start < b.start ? -1 : 1));
  for (let k = 1; k < order.length; k += 1) {
    const [prev] = order[k - 1];
    const [cur, i] = order[k];
    if (prev.end > cur.start && !problems[`${prefix}.${i}.start`]) problems[`${prefix}.${i}.start`] = t("schedule.overlap");
  }
  return problems;
}

export function RangeRows({ label, ranges, problems = {}, prefix, onChange, addLabel }) {
  const { t } = useI18n();
  const update = (i, name, value) => onChange(ranges.map((r, j) => (i === j ? { ...r, [name]: value } : r)));
  const add = () => {
    const last = ranges[ranges.length - 1];
    onChange([...ranges, last && last.end < "22:00" ? { start: last.end < "16:00" ? "16:00" : last.end, end: last.end < "16:00" ? "19:00" : "23:00" } : { start: "16:00", end: "19:00" }]);
  };
  return (
    <div className="range-rows">
      {ranges.map((r, i) => {
        const startKey = `${prefix}.${i}.start`;
        const endKey = `${prefix}.${i}.end`;
        return (
          <div key={i} className="range-row">
            <input type="time" aria-label={t("schedule.rangeStart", { day: label, n: i + 1 })} value={r.start}
              aria-invalid={problems[startKey] ? "true" : undefined} aria-describedby={problems[startKey] ? `${startKey}-err` : undefined}
              onChange={(e) => update(i, "start", e.target.value)} />
            <span aria-hidden="true">–</span>
            <input type="time" aria-label={t("schedule.rangeEnd", { day: label, n: i + 1 })} value={r.end}
              aria-invalid={problems[endKey] ? "true" : undefined} aria-describedby={problems[endKey] ? `${endKey}-err` : undefined}
              onChange={(e) => update(i, "end", e.target.value)} />
            <button type="button" className="icon-button" aria-label={t("schedule.removeRange", { day: label, n: i + 1 })}
              onClick={() => onChange(ranges.filter((_, j) => j !== i))}>✕</button>
            {problems[startKey] && <small id={`${startKey}-err`} className="field-error">{problems[startKey]}</small>}
            {problems[endKey] && <small id={`${endKey}-err`} className="field-error">{problems[endKey]}</small>}
          </div>
        );
      })}
      <button type="button" className="link-button" onClick={add}>{addLabel || t("schedule.addRange", { day: label })}</button>
    </div>
  );
}
