/** react-big-calendar wiring shared by every calendar: date-fns localizer, es/en texts, 24 h clock. */
import { addDays, endOfMonth, endOfWeek, format, getDay, parse, startOfMonth, startOfWeek } from "date-fns";
import { dateFnsLocalizer } from "react-big-calendar";
import { DATE_LOCALES, dayKey } from "../../lib/tz.js";

const mondayWeek = (date, options) => startOfWeek(date, { ...options, weekStartsOn: 1 });

export const localizer = dateFnsLocalizer({ format, parse, startOfWeek: mondayWeek, getDay, locales: DATE_LOCALES });

const range = ({ start, end }, culture, loc) => `${loc.format(start, "HH:mm", culture)} – ${loc.format(end, "HH:mm", culture)}`;

export const formats = {
  timeGutterFormat: "HH:mm",
  dateFormat: "d",
  eventTimeRangeFormat: range,
  selectRangeFormat: range,
  agendaTimeRangeFormat: range,
  agendaTimeFormat: "HH:mm",
  dayFormat: "EEE d",
  dayHeaderFormat: (date, culture, loc) =>
    loc.format(date, culture === "en" ? "EEEE, MMMM d, yyyy" : "EEEE, d 'de' MMMM 'de' yyyy", culture),
  dayRangeHeaderFormat: ({ start, end }, culture, loc) =>
    `${loc.format(start, "d MMM", culture)} – ${loc.format(end, "d MMM yyyy", culture)}`,
  eventTimeRangeStartFormat: ({ start }, culture, loc) => `${loc.format(start, "HH:mm", culture)} – `,
  eventTimeRangeEndFormat: ({ end }, culture, loc) => ` – ${loc.format(end, "HH:mm", culture)}`,
};

export function calendarMessages(t) {
  const keys = ["date", "time", "event", "allDay", "week", "work_week", "day", "month", "previous", "next",
    "yesterday", "tomorrow", "today", "agenda", "noEventsInRange"];
  const result = Object.fromEntries(keys.map((key) => [key, t(`calendar.${key}`)]));
  result.showMore = (n) => t("calendar.showMore", { n });
  return result;
}

/** The clinic dates shown by a view around a wall date: the from/to of the API queries. */
export function visibleDays(date, view) {
  if (view === "day") return { from: dayKey(date), to: dayKey(date) };
  if (view === "month") {
    return { from: dayKey(mondayWeek(startOfMonth(date))), to: dayKey(endOfWeek(endOfMonth(date), { weekStartsOn: 1 })) };
  }
  if (view === "agenda") return { from: dayKey(date), to: dayKey(addDays(date, 30)) };
  const start = mondayWeek(date);
  return { from: dayKey(start), to: dayKey(addDays(start, 6)) };
}
