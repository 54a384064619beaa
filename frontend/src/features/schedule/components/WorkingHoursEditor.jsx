import { useEffect, useState } from "react";
import { ErrorMessage, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { usePutWorkingHours } from "../api/put-working-hours.js";

const hhmm = (value) => (value || "").slice(0, 5);

export function WorkingHoursEditor({ doctorId, hours }) {
  const { t } = useI18n();
  const save = usePutWorkingHours();
  const [rows, setRows] = useState([]);
  useEffect(() => setRows(hours.map((h) => ({ weekday: h.weekday, start: hhmm(h.start), end: hhmm(h.end) }))), [hours]);
  const weekdays = t("weekdays");
  const update = (i, name, value) => setRows(rows.map((row, j) => (i === j ? { ...row, [name]: value } : row)));
  const submit = (e) => {
    e.preventDefault();
    save.mutate({ doctorId, hours: rows.map((r) => ({ ...r, weekday: Number(r.weekday) })) });
  };
  return (
    <form onSubmit={submit} className="panel">
      <h2>{t("schedule.hours")}</h2>
      <table>
        <thead><tr><th scope="col">{t("schedule.weekday")}</th><th scope="col">{t("schedule.start")}</th><th scope="col">{t("schedule.end")}</th><th /></tr></thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <select aria-label={`${t("schedule.weekday")} ${i + 1}`} value={row.weekday} onChange={(e) => update(i, "weekday", e.target.value)}>
                  {weekdays.map((name, d) => <option key={name} value={d}>{name}</option>)}
                </select>
              </td>
              <td><input type="time" aria-label={`${t("schedule.start")} ${i + 1}`} value={row.start} required onChange={(e) => update(i, "start", e.target.value)} /></td>
              <td><input type="time" aria-label={`${t("schedule.end")} ${i + 1}`} value={row.end} required onChange={(e) => update(i, "end", e.target.value)} /></td>
              <td><button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>{t("schedule.remove")}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" onClick={() => setRows([...rows, { weekday: 0, start: "09:00", end: "14:00" }])}>{t("schedule.add")}</button>
        <button type="submit" className="primary" disabled={save.isPending}>{t("schedule.saveHours")}</button>
      </div>
      <ErrorMessage error={save.error} showFields />
      <Notice>{save.isSuccess && t("app.saved")}</Notice>
    </form>
  );
}
