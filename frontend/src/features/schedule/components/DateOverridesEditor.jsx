/** Date overrides: other hours on one date, or a day off, replacing that weekday's hours. */
import { useState } from "react";
import { ErrorMessage, Field, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { formatInZone } from "../../../lib/tz.js";
import { useDeleteDateOverride } from "../api/delete-date-override.js";
import { useDateOverrides } from "../api/get-date-overrides.js";
import { usePutDateOverride } from "../api/put-date-override.js";
import { RangeRows, rangeProblems } from "./RangeRows.jsx";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dateLabel(day, zone, locale) {
  // Noon of that date in the clinic's zone: the right weekday whatever the browser's zone.
  return formatInZone(new Date(`${day}T12:00:00Z`), "UTC", locale === "en" ? "EEEE, MMMM d, yyyy" : "EEEE, d 'de' MMMM 'de' yyyy", locale);
}

export function DateOverridesEditor({ doctorId, zone }) {
  const { t, locale } = useI18n();
  const list = useDateOverrides(doctorId);
  const save = usePutDateOverride();
  const remove = useDeleteDateOverride();
  const [day, setDay] = useState("");
  const [off, setOff] = useState(false);
  const [ranges, setRanges] = useState([{ start: "09:00", end: "14:00" }]);
  const [problems, setProblems] = useState({});
  const submit = (e) => {
    e.preventDefault();
    const found = DAY.test(day) ? {} : { date: t("schedule.pickDate") };
    if (!off) Object.assign(found, rangeProblems(ranges, "ov", t));
    if (!off && ranges.length === 0) found.date = t("schedule.addOneRange");
    setProblems(found);
    if (Object.keys(found).length) return;
    save.mutate({ doctorId, date: day, ranges: off ? [] : ranges }, {
      onSuccess: () => { setDay(""); setOff(false); setRanges([{ start: "09:00", end: "14:00" }]); },
    });
  };
  const items = list.data || [];
  return (
    <section className="panel" aria-labelledby="overrides-title">
      <h2 id="overrides-title">{t("schedule.overrides")}</h2>
      <p className="muted">{t("schedule.overridesHelp")}</p>
      {items.length === 0 ? <p className="empty">{t("schedule.noOverrides")}</p> : (
        <ul className="appointments overrides">
          {items.map((item) => (
            <li key={item.date} className="appointment">
              <span><strong>{dateLabel(item.date, zone, locale)}</strong>{" · "}
                {item.ranges.length === 0 ? t("schedule.dayOff") : item.ranges.map((r) => `${r.start}–${r.end}`).join(", ")}</span>
              <button type="button" onClick={() => remove.mutate({ doctorId, date: item.date })}
                aria-label={t("schedule.removeOverride", { date: dateLabel(item.date, zone, locale) })}>{t("schedule.remove")}</button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate className="override-form">
        <Field label={t("schedule.overrideDate")} name="date" type="date" value={day}
          onChange={(e) => setDay(e.target.value)} error={problems.date ? { fields: { date: problems.date } } : save.error} />
        <label className="checkbox">
          <input type="checkbox" checked={off} onChange={(e) => setOff(e.target.checked)} /> {t("schedule.dayOffToggle")}
        </label>
        {!off && <RangeRows label={t("schedule.overrideDate")} ranges={ranges} problems={problems} prefix="ov" onChange={setRanges}
          addLabel={t("schedule.addOverrideRange")} />}
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>{t("schedule.saveOverride")}</button>
        </div>
      </form>
      <ErrorMessage error={list.error || save.error || remove.error} showFields />
      <Notice>{(save.isSuccess && t("schedule.overrideSaved")) || (remove.isSuccess && t("schedule.overrideRemoved"))}</Notice>
    </section>
  );
}
