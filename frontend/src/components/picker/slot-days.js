/**
 * Pure helpers of the time picker: clinic dates as "YYYY-MM-DD" keys (day arithmetic on keys never
 * meets the browser's DST), slots grouped by the clinic's date, the change deadline.
 */
import { wallFields } from "../../lib/tz.js";

export function addDaysKey(key, n) {
  const [y, m, d] = key.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function daysBetween(a, b) {
  const ms = (key) => Date.UTC(...key.split("-").map((v, i) => Number(v) - (i === 1 ? 1 : 0)));
  return Math.round((ms(b) - ms(a)) / 86400000);
}

/** The clinic's date of an instant. */
export const clinicDay = (instant, zone) => {
  const { year, month, day } = wallFields(instant, zone);
  return `${year}-${month}-${day}`;
};

/** The clinic's "today". */
export const clinicToday = (zone) => clinicDay(Date.now(), zone);

/** `n` consecutive date keys from `first`. */
export const daysFrom = (first, n) => Array.from({ length: n }, (_, i) => addDaysKey(first, i));

/** Slots by the clinic's date, in time order. */
export function groupByDay(slots, zone) {
  const out = new Map();
  const at = (slot) => new Date(slot.starts_at).getTime();
  const sorted = slots.map((slot) => [at(slot), slot]).sort((a, b) => a[0] - b[0]).map(([, slot]) => slot);
  for (const slot of sorted) {
    const key = clinicDay(slot.starts_at, zone);
    if (!out.has(key)) out.set(key, []);
    out.get(key).push(slot);
  }
  return out;
}

/** A date key as a Date at local noon, only for formatting its weekday and day (never for math). */
export const keyDate = (key) => {
  const [y, m, d] = key.split("-").map(Number);
  return new Date(y, m - 1, d, 12);
};

/** Minutes after the clinic's midnight (on the wall clock), for "the same time on the next day". */
export function wallMinutes(instant, zone) {
  const { hour, minute } = wallFields(instant, zone);
  return Number(hour) * 60 + Number(minute);
}

/** Until when a patient may still move or cancel without it being late. */
export function changeDeadline(startsAt, cutoffHours) {
  return new Date(new Date(startsAt).getTime() - cutoffHours * 3600 * 1000);
}

/** Whether the browser's zone differs from the clinic's (then the picker names the clinic's). */
export function browserZoneDiffers(zone) {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone !== zone;
  } catch {
    return true;
  }
}
