/** The weekly hours as Cal.com shows them: a toggle per day, several ranges per day, copy one day to all. */
import { useEffect, useState } from "react";
import { ErrorMessage, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { usePutWorkingHours } from "../api/put-working-hours.js";
import { RangeRows, rangeProblems } from "./RangeRows.jsx";

const hhmm = (value) => (value || "").slice(0, 5);
const DEFAULT_RANGE = { start: "09:00", end: "14:00" };

/** [{weekday, start, end}] → seven days of {on, ranges}. */
export function toWeek(hours) {
  const week = Array.from({ length: 7 }, () => ({ on: false, ranges: [] }));
  for (const h of hours) {
    week[h.weekday].on = true;
    week[h.weekday].ranges.push({ start: hhmm(h.start), end: hhmm(h.end) });
  }
  return week;
}

export function fromWeek(week) {
  return week.flatMap((day, weekday) => (day.on ? day.ranges.map((r) => ({ weekday, start: r.start, end: r.end })) : []));
}

export function WorkingHoursEditor({ doctorId, hours }) {
  const { t } = useI18n();
  const save = usePutWorkingHours();
  const [week, setWeek] = useState(() => toWeek(hours));
  const [problems, setProblems] = useState({});
  const [copied, setCopied] = useState(null);
  useEffect(() => setWeek(toWeek(hours)), [hours]);
  const weekdays = t("weekdays");
  const setDay = (d, day) => { setCopied(null); setWeek(week.map((old, i) => (i === d ? day : old))); };
  const copyToAll = (d) => {
    setWeek(week.map(() => ({ on: week[d].on, ranges: week[d].ranges.map((r) => ({ ...r })) })));
    setCopied(d);
  };
  const submit = (e) => {
    e.preventDefault();
    const found = {};
    week.forEach((day, d) => { if (day.on) Object.assign(found, rangeProblems(day.ranges, `${d}`, t)); });
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate({ doctorId, hours: fromWeek(week) });
  };
  const empty = fromWeek(week).length === 0;
  return (
    <form onSubmit={submit} className="panel week-editor" noValidate aria-labelledby="hours-title">
      <h2 id="hours-title">{t("schedule.hours")}</h2>
      {hours.length === 0 && <p className="alert alert-warning" role="note">{t("schedule.noHoursWarning")}</p>}
      <ul className="week-days">
        {week.map((day, d) => (
          <li key={d} className={`week-day${day.on ? "" : " week-day-off"}`}>
            <label className="day-toggle">
              <input type="checkbox" checked={day.on} aria-describedby={`day-${d}-state`}
                onChange={(e) => setDay(d, { on: e.target.checked, ranges: e.target.checked && day.ranges.length === 0 ? [{ ...DEFAULT_RANGE }] : day.ranges })} />
              <span className="day-name">{weekdays[d]}</span>
            </label>
            <span id={`day-${d}-state`} className="muted day-state">{day.on ? "" : t("schedule.unavailable")}</span>
            {day.on && (
              <div className="day-ranges">
                <RangeRows label={weekdays[d]} ranges={day.ranges} problems={problems} prefix={`${d}`}
                  onChange={(ranges) => setDay(d, { on: ranges.length > 0, ranges })} />
                <button type="button" className="link-button" onClick={() => copyToAll(d)}>
                  {t("schedule.copyToAll", { day: weekdays[d] })}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>{t("schedule.saveHours")}</button>
      </div>
      {empty && hours.length > 0 && <p className="alert alert-warning" role="note">{t("schedule.willHide")}</p>}
      <ErrorMessage error={Object.keys(problems).length ? { code: "validation_error" } : save.error} showFields={!Object.keys(problems).length} />
      <Notice>{(copied != null && t("schedule.copied", { day: weekdays[copied] })) || (save.isSuccess && t("app.saved"))}</Notice>
    </form>
  );
}
