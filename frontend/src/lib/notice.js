import { longDateTime } from "./tz.js";

/**
 * A notice kept as data ({key, vars, at, zone}) rather than as text, so that it follows a language
 * switch: `at` (an instant) becomes {when} in the clinic's zone and the current language.
 */
export function noticeText(t, locale, note) {
  if (!note) return "";
  const when = note.at ? longDateTime(note.at, note.zone, locale) : undefined;
  return t(note.key, { ...note.vars, when });
}
