/**
 * Clinic time zones in a browser that may be anywhere.
 *
 * react-big-calendar does all its date math in the browser's zone (and has DST bugs there), so the
 * calendars never see real instants: each instant is turned into a "wall" Date whose local fields are
 * the clinic's wall-clock time (toWall), and a wall Date coming back from the calendar (a drop, a
 * selected day) is read as clinic wall-clock time again (fromWall). Everything the user reads is
 * therefore clinic time, consistently, whatever zone the browser is in.
 */
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { enUS, es } from "date-fns/locale";

export const DATE_LOCALES = { es, en: enUS };

export function toWall(instant, zone) {
  const z = new TZDate(new Date(instant).getTime(), zone);
  return new Date(z.getFullYear(), z.getMonth(), z.getDate(), z.getHours(), z.getMinutes(), z.getSeconds());
}

export function fromWall(wall, zone) {
  const z = new TZDate(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(),
    wall.getMinutes(), wall.getSeconds(), zone);
  return new Date(z.getTime());
}

/** ISO 8601 with the clinic's offset, e.g. 2027-03-29T09:00:00+02:00. */
export function isoInZone(instant, zone) {
  return format(new TZDate(new Date(instant).getTime(), zone), "yyyy-MM-dd'T'HH:mm:ssxxx");
}

export function formatInZone(instant, zone, pattern, locale = "es") {
  return format(new TZDate(new Date(instant).getTime(), zone), pattern, { locale: DATE_LOCALES[locale] || es });
}

/** "lunes, 29 de marzo de 2027, 09:00" / "Monday, March 29, 2027, 09:00" in the clinic's zone; in a
 * fall-back night's repeated hour the time says which one ("02:00 CEST" / "02:00 CET"). */
export function longDateTime(instant, zone, locale = "es") {
  const text = formatInZone(instant, zone, locale === "en" ? "EEEE, MMMM d, yyyy, HH:mm" : "EEEE, d 'de' MMMM 'de' yyyy, HH:mm", locale);
  return withRepeatedHourZone(text, instant, zone);
}

// One Intl formatter per zone, reused: the picker reads the wall clock of every slot of two months (~1,500
// instants), and a TZDate plus a date-fns format per instant was most of its render time on a slow phone.
const WALL_FORMATS = new Map();

/** The clinic's wall clock at an instant: {year, month, day, hour, minute} as zero-padded strings. */
export function wallFields(instant, zone) {
  let formatter = WALL_FORMATS.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" });
    WALL_FORMATS.set(zone, formatter);
  }
  const out = {};
  for (const { type, value } of formatter.formatToParts(new Date(instant))) out[type] = value;
  return out;
}

export function shortTime(instant, zone) {
  const { hour, minute } = wallFields(instant, zone);
  return withRepeatedHourZone(`${hour}:${minute}`, instant, zone);
}

const WALL = "yyyy-MM-dd HH:mm";
const HALF_DAY_MS = 12 * 3600 * 1000;

/** Whether the clinic's wall clock shows this reading twice (the repeated hour when DST ends). */
export function isRepeatedWallTime(instant, zone) {
  const ms = new Date(instant).getTime();
  const own = new TZDate(ms, zone).getTimezoneOffset();
  const others = [ms - HALF_DAY_MS, ms + HALF_DAY_MS].map((probe) => new TZDate(probe, zone).getTimezoneOffset());
  if (others.every((other) => other === own)) return false; // no offset change within 12 hours: the usual case
  const wall = formatInZone(ms, zone, WALL);
  return others.some((other) => {
    // The instant whose wall clock would read the same under the other offset.
    return other !== own && formatInZone(ms + (other - own) * 60000, zone, WALL) === wall;
  });
}

/** The zone's abbreviation at that instant ("CEST", "EDT"), as the emails write it; "GMT+2" when the
 * browser knows no name for it. */
export function zoneAbbreviation(instant, zone) {
  let fallback;
  for (const locale of ["en-US", "en-GB"]) {
    const part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
      .formatToParts(new Date(instant)).find((p) => p.type === "timeZoneName");
    if (part && !/^(GMT|UTC)/.test(part.value)) return part.value;
    fallback = fallback || part?.value;
  }
  return fallback;
}

function withRepeatedHourZone(text, instant, zone) {
  return isRepeatedWallTime(instant, zone) ? `${text} ${zoneAbbreviation(instant, zone)}` : text;
}

/** YYYY-MM-DD of a wall Date (the clinic's date), for query strings. */
export function dayKey(wall) {
  return format(wall, "yyyy-MM-dd");
}

/** The clinic's "today" as a wall Date. */
export function wallNow(zone) {
  return toWall(Date.now(), zone);
}

/** "2027-03-29T09:00" (a datetime-local value in clinic time) → instant. */
export function localInputToInstant(value, zone) {
  const [datePart, timePart = "00:00"] = value.split("T");
  const [y, m, d] = datePart.split("-").map(Number);
  const [hh, mm] = timePart.split(":").map(Number);
  return fromWall(new Date(y, m - 1, d, hh, mm), zone);
}

/** The browser's own zone (where no clinic's zone applies yet). */
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function zoneLabel(zone) {
  return zone ? zone.replace(/_/g, " ") : "";
}
