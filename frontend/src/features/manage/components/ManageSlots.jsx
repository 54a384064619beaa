/**
 * The times the appointment could move to, one clinic day at a time: the days with free times as buttons,
 * then that day's times ("HH:MM", at least 44x44 px). Four weeks per request; "later" moves on.
 */
import { useMemo, useState } from "react";
import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { formatInZone, longDateTime, shortTime } from "../../../lib/tz.js";
import { useManageSlots } from "../api/get-manage-slots.js";

const WINDOW_DAYS = 28;

function addDays(day, n) {
  const at = new Date(`${day}T12:00:00Z`);
  at.setUTCDate(at.getUTCDate() + n);
  return at.toISOString().slice(0, 10);
}

export function ManageSlots({ token, zone, currentStart, onPick }) {
  const { t, locale } = useI18n();
  const today = formatInZone(Date.now(), zone, "yyyy-MM-dd");
  const [from, setFrom] = useState(today);
  const to = addDays(from, WINDOW_DAYS - 1);
  const slots = useManageSlots({ token, from, to });
  const days = useMemo(() => {
    const byDay = new Map();
    for (const slot of slots.data?.slots || []) {
      if (slot.starts_at === currentStart) continue;
      const day = formatInZone(slot.starts_at, zone, "yyyy-MM-dd");
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    return [...byDay.entries()];
  }, [slots.data, zone, currentStart]);
  const [chosen, setChosen] = useState(null);
  const selected = days.find(([day]) => day === chosen) || days[0];
  if (slots.isPending) return <Loading />;
  return (
    <section className="manage-slots" aria-busy={slots.isFetching ? "true" : "false"} aria-labelledby="manage-slots-title">
      <h3 id="manage-slots-title">{t("manage.pickDay")}</h3>
      <ErrorMessage error={slots.error} />
      {days.length === 0 ? <p className="empty">{t("manage.noSlots")}</p> : (
        <>
          <div className="manage-days" role="group" aria-label={t("manage.pickDay")}>
            {days.map(([day, list]) => (
              <button key={day} type="button" aria-pressed={selected?.[0] === day} onClick={() => setChosen(day)}>
                {formatInZone(list[0].starts_at, zone, locale === "en" ? "EEE d MMM" : "EEE d MMM", locale)}
              </button>
            ))}
          </div>
          {selected && (
            <>
              <h3>{t("manage.pickTime", { day: formatInZone(selected[1][0].starts_at, zone, locale === "en" ? "EEEE d MMMM" : "EEEE d 'de' MMMM", locale) })}</h3>
              <ul className="manage-times">
                {selected[1].map((slot) => (
                  <li key={slot.starts_at}>
                    <button type="button" aria-label={longDateTime(slot.starts_at, zone, locale)} onClick={() => onPick(slot)}>
                      {shortTime(slot.starts_at, zone, locale)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      <div className="actions">
        {from !== today && <button type="button" onClick={() => { setChosen(null); setFrom(addDays(from, -WINDOW_DAYS)); }}>{t("manage.earlier")}</button>}
        <button type="button" onClick={() => { setChosen(null); setFrom(addDays(from, WINDOW_DAYS)); }}>{t("manage.later")}</button>
      </div>
    </section>
  );
}
