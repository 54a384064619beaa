/**
 * A picker made for people: day columns of time buttons, from the clinic's today, five days at a time
 * (one on a phone), each time a full "HH:MM" in the clinic's zone, and a jump to the next free time.
 *
 * Keyboard: one tab stop; the arrow keys move between times (up/down within a day, left/right to the
 * nearest time of the neighbouring day, past the edge to the next or previous days), Home/End go to the
 * first/last time of the day, Enter or Space picks.
 */
import { format } from "date-fns";
import { useEffect, useMemo, useRef, useState } from "react";
import { ErrorMessage, Loading } from "../ui.jsx";
import { useI18n } from "../../lib/i18n.jsx";
import { useSlots } from "../../lib/queries/get-slots.js";
import { DATE_LOCALES, shortTime, zoneLabel } from "../../lib/tz.js";
import {
  addDaysKey, browserZoneDiffers, clinicDay, clinicToday, daysBetween, daysFrom, groupByDay, keyDate, wallMinutes,
} from "./slot-days.js";

/** The slots of one request: up to 62 days, the API's maximum, so paging through them asks nothing more. */
export const CHUNK_DAYS = 62;
const NARROW = "(max-width: 40rem)";

function useNarrow() {
  const query = typeof window !== "undefined" && window.matchMedia ? window.matchMedia(NARROW) : null;
  const [narrow, setNarrow] = useState(() => Boolean(query?.matches));
  useEffect(() => {
    if (!query) return undefined;
    const change = () => setNarrow(query.matches);
    query.addEventListener?.("change", change);
    return () => query.removeEventListener?.("change", change);
  }, [query]);
  return narrow;
}

export function dayTitle(key, locale) {
  return format(keyDate(key), locale === "en" ? "EEE d MMM" : "EEE d 'de' MMM", { locale: DATE_LOCALES[locale] });
}

/** The visible days and their slots; pure, so the keyboard moves can be computed from it. */
export function DayColumns({ days, byDay, zone, active, onActive, onPick, onEdge, selected, refs }) {
  const { t, locale } = useI18n();
  const columns = days.map((key) => byDay.get(key) || []);
  const move = (dayIndex, slotIndex, e) => {
    const col = columns[dayIndex];
    let target = null;
    if (e.key === "ArrowDown") target = col[slotIndex + 1];
    else if (e.key === "ArrowUp") target = col[slotIndex - 1];
    else if (e.key === "Home") target = col[0];
    else if (e.key === "End") target = col[col.length - 1];
    else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const step = e.key === "ArrowRight" ? 1 : -1;
      const minutes = wallMinutes(col[slotIndex].starts_at, zone);
      for (let d = dayIndex + step; d >= 0 && d < columns.length; d += step) {
        if (columns[d].length) {
          target = nearest(columns[d], minutes, zone);
          break;
        }
      }
      if (!target) {
        e.preventDefault();
        onEdge(step, minutes);
        return;
      }
    } else return;
    e.preventDefault();
    if (target) onActive(target.starts_at, true);
  };
  return (
    <div className="day-columns" style={{ "--days": days.length }}>
      {days.map((key, dayIndex) => {
        const title = dayTitle(key, locale);
        return (
        <section key={key} className="day-column" aria-labelledby={`day-${key}`}>
          <h3 id={`day-${key}`} className="day-title">{title}</h3>
          {columns[dayIndex].length === 0 ? <p className="day-empty">{t("picker.noTimes")}</p> : (
            <ul className="times">
              {columns[dayIndex].map((slot, slotIndex) => (
                <li key={slot.starts_at}>
                  <button type="button" className="time" ref={(el) => { if (el) refs.current.set(slot.starts_at, el); else refs.current.delete(slot.starts_at); }}
                    tabIndex={slot.starts_at === active ? 0 : -1} aria-pressed={slot.starts_at === selected}
                    onFocus={() => onActive(slot.starts_at, false)} onKeyDown={(e) => move(dayIndex, slotIndex, e)}
                    onClick={() => onPick(slot)}>
                    <span className="sr-only">{`${title},`}</span>{` ${shortTime(slot.starts_at, zone)}`}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        );
      })}
    </div>
  );
}

function nearest(column, minutes, zone) {
  return column.reduce((best, slot) => (
    Math.abs(wallMinutes(slot.starts_at, zone) - minutes) < Math.abs(wallMinutes(best.starts_at, zone) - minutes) ? slot : best
  ), column[0]);
}

/** The first request of a picker opened today for that doctor and service (the one worth asking ahead). */
export const firstSlotsParams = (doctorId, serviceId, zone, patientId) => {
  const today = clinicToday(zone);
  return { doctorId: Number(doctorId), serviceId: String(serviceId), patientId, from: today, to: addDaysKey(today, CHUNK_DAYS - 1) };
};

/** Fetches 62 days at a time; `zone` is the clinic's (from the clinic the API lists; its slots answer confirms it).
 * Staff pass `patientId` to see the times that patient could book (the front desk books and moves for patients). */
export function TimePicker({ doctorId, serviceId, patientId, zone: knownZone, onPick, selected }) {
  const { t, locale } = useI18n();
  const narrow = useNarrow();
  const perView = narrow ? 1 : 5;
  const zone0 = knownZone;
  const today = clinicToday(zone0);
  const [start, setStart] = useState(() => (selected ? clinicDay(selected, zone0) : today));
  const [chunk, setChunk] = useState(today);
  const last = addDaysKey(start, perView - 1);
  useEffect(() => {
    // Keep the visible days inside the fetched range: a new range starts at the first visible day.
    if (start < chunk || last > addDaysKey(chunk, CHUNK_DAYS - 1)) setChunk(start);
  }, [start, last, chunk]);
  const slots = useSlots({ doctorId: Number(doctorId), serviceId: String(serviceId), patientId, from: chunk, to: addDaysKey(chunk, CHUNK_DAYS - 1) });
  const first = useSlots(firstSlotsParams(doctorId, serviceId, zone0, patientId));
  const zone = slots.data?.timezone || zone0;
  const byDay = useMemo(() => groupByDay(slots.data?.slots || [], zone), [slots.data, zone]);
  const days = daysFrom(start, perView);
  const visible = days.flatMap((key) => byDay.get(key) || []);
  const [active, setActive] = useState(null);
  const refs = useRef(new Map());
  const pendingFocus = useRef(null);
  const next = first.data?.slots?.[0];
  // Opening on days without a free time (late in the day, a doctor booked for a week) shows nothing useful:
  // the first answer then opens the picker at the day of the next free time instead. Once only, and never
  // after the person has moved or when a chosen time decides where it opens.
  const placed = useRef(Boolean(selected));
  useEffect(() => {
    if (placed.current || !first.data || !slots.data) return;
    placed.current = true;
    if (next && visible.length === 0) setStart(clinicDay(next.starts_at, zone));
  }, [first.data, slots.data, next, visible.length, zone]);
  const activeKey = visible.some((s) => s.starts_at === active) ? active : (visible.find((s) => s.starts_at === selected) || visible[0])?.starts_at;

  // After every render on purpose: a focus asked for (a jump, an edge) lands once its days are on screen; it
  // clears the request before setting state, so it cannot loop.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => {
    const want = pendingFocus.current;
    if (!want) return;
    let target = want.startsAt;
    if (want.minutes !== undefined) {
      const col = days.map((key) => byDay.get(key) || []).filter((c) => c.length);
      const column = want.step > 0 ? col[0] : col[col.length - 1];
      target = column ? nearest(column, want.minutes, zone).starts_at : null;
    }
    const el = target && refs.current.get(target);
    if (el) {
      pendingFocus.current = null;
      setActive(target);
      el.focus();
    }
  });

  const shift = (n) => { placed.current = true; setStart((s) => {
    const moved = addDaysKey(s, n);
    return moved < today ? today : moved;
  }); };
  const jump = () => {
    if (!next) return;
    placed.current = true;
    const shown = refs.current.get(next.starts_at);
    if (shown) { // already on screen: no new days to wait for
      setActive(next.starts_at);
      shown.focus();
      return;
    }
    pendingFocus.current = { startsAt: next.starts_at };
    setStart(clinicDay(next.starts_at, zone));
  };
  const onEdge = (step, minutes) => {
    if (step < 0 && start <= today) return;
    pendingFocus.current = { step, minutes };
    shift(step * perView);
  };
  const onActive = (startsAt, focus) => {
    setActive(startsAt);
    if (focus) refs.current.get(startsAt)?.focus();
  };
  const range = days.length === 1 ? dayTitle(days[0], locale) : `${dayTitle(days[0], locale)} – ${dayTitle(days[days.length - 1], locale)}`;
  return (
    <div className="time-picker" aria-busy={slots.isFetching ? "true" : "false"}>
      {browserZoneDiffers(zone) && <p className="tz-note">{t("app.timezoneNote", { zone: zoneLabel(zone) })}</p>}
      <div className="picker-bar">
        {first.isPending ? null : next ? (
          <button type="button" className="primary next-free" onClick={jump}>
            {t("picker.nextFree", { when: `${dayTitle(clinicDay(next.starts_at, zone), locale)} ${shortTime(next.starts_at, zone, locale)}` })}
          </button>
        ) : <p className="empty">{t("picker.noneSoon")}</p>}
        <div className="picker-nav" role="group" aria-label={t("picker.days")}>
          <button type="button" onClick={() => shift(-perView)} disabled={start <= today}>
            <span aria-hidden="true">← </span>{t(narrow ? "picker.prevDay" : "picker.prevDays")}
          </button>
          <span className={narrow ? "sr-only" : "picker-range"} aria-live="polite">{range}</span>
          <button type="button" onClick={() => shift(perView)} disabled={daysBetween(today, start) > 365}>
            {t(narrow ? "picker.nextDay" : "picker.nextDays")}<span aria-hidden="true"> →</span>
          </button>
        </div>
      </div>
      <ErrorMessage error={slots.error} />
      {slots.isPending ? <Loading /> : (
        <DayColumns days={days} byDay={byDay} zone={zone} active={activeKey} onActive={onActive}
          onPick={(slot) => onPick(slot, zone)} onEdge={onEdge} selected={selected} refs={refs} />
      )}
    </div>
  );
}
