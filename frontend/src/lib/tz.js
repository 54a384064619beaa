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

/** "lunes, 29 de marzo de 2027, 09:00" / "Monday, March 29, 2027, 09:00" in the clinic's zone. */
export function longDateTime(instant, zone, locale = "es") {
  return formatInZone(instant, zone, locale === "en" ? "EEEE, MMMM d, yyyy, HH:mm" : "EEEE, d 'de' MMMM 'de' yyyy, HH:mm", locale);
}

export function shortTime(instant, zone, locale = "es") {
  return formatInZone(instant, zone, "HH:mm", locale);
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

export function zoneLabel(zone) {
  return zone ? zone.replace(/_/g, " ") : "";
}
