/** The desk's doctor filter: one toggle chip per doctor (remembered per browser, see doctor-filter.js),
 * "all" and "only this one" shortcuts. A native checkbox inside each chip: keyboard and screen readers get
 * the state for free. Folded on a phone (its summary says how many doctors are shown), open on a desktop. */
const NARROW = "(max-width: 40rem)";
import { useState } from "react";
import { useI18n } from "../../../lib/i18n.jsx";
import { onlyDoctor, toggleHidden } from "./doctor-filter.js";

export function DoctorFilter({ doctors, hidden, onChange }) {
  const { t } = useI18n();
  const shownCount = doctors.filter((d) => !hidden.includes(d.id)).length || doctors.length;
  const [open, setOpen] = useState(() => !(typeof window !== "undefined" && window.matchMedia?.(NARROW).matches));
  const title = t("desk.showDoctors", { shown: shownCount, total: doctors.length });
  return (
    <details className="doctor-filter" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{title}</summary>
      <fieldset>
        <legend>{title}</legend>
        <ul className="chips">
          {doctors.map((d) => {
            const on = !hidden.includes(d.id) || shownCount === doctors.length;
            const last = on && shownCount === 1;
            return (
              <li key={d.id} className={`chip${on ? " chip-on" : ""}`}>
                <label title={last ? t("desk.lastDoctor") : undefined}>
                  <input type="checkbox" checked={on} disabled={last}
                    onChange={() => onChange(toggleHidden(doctors, hidden, d.id))} />
                  <span>{d.full_name}</span>
                </label>
                {doctors.length > 1 && (
                  <button type="button" className="link-button chip-only" onClick={() => onChange(onlyDoctor(doctors, d.id))}
                    aria-label={t("desk.onlyDoctor", { name: d.full_name })}>{t("desk.only")}</button>
                )}
              </li>
            );
          })}
        </ul>
        {hidden.length > 0 && doctors.length > 1 && (
          <button type="button" className="link-button" onClick={() => onChange([])}>{t("desk.showAll")}</button>
        )}
      </fieldset>
    </details>
  );
}
