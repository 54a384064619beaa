import "react-big-calendar/lib/css/react-big-calendar.css";
import { useMemo } from "react";
import { Calendar } from "react-big-calendar";
import { useI18n } from "../../lib/i18n.jsx";
import { toWall, zoneLabel } from "../../lib/tz.js";
import { calendarMessages, formats, localizer } from "./setup.js";

/** Events {id, starts_at, ends_at, title, ...} → calendar events at clinic wall-clock time. */
export function toCalendarEvents(items, zone) {
  return items.map((item) => ({
    id: item.id ?? item.starts_at,
    title: item.title ?? "",
    start: toWall(item.starts_at, zone),
    end: toWall(item.ends_at, zone),
    resourceId: item.resourceId,
    data: item,
  }));
}

const DEFAULT_MIN = new Date(1970, 0, 1, 7, 0);
const DEFAULT_MAX = new Date(1970, 0, 1, 21, 0);

/**
 * react-big-calendar in the clinic's time zone. `date` is a wall Date (see lib/tz.js); `component`
 * lets a drag-and-drop variant be passed in without loading that addon for everyone.
 */
export function ZonedCalendar({
  zone, items, date, view, onNavigate, onView, views = ["week", "day"], component: Component = Calendar,
  eventContent, label, height = 620, min = DEFAULT_MIN, max = DEFAULT_MAX, ...rest
}) {
  const { t, locale } = useI18n();
  const events = useMemo(() => toCalendarEvents(items, zone), [items, zone]);
  const messages = useMemo(() => calendarMessages(t), [t]);
  const components = useMemo(() => (eventContent ? { event: eventContent } : undefined), [eventContent]);
  return (
    <section className="calendar" aria-label={label}>
      <p className="tz-note">{t("app.timezoneNote", { zone: zoneLabel(zone) })}</p>
      <div style={{ height }}>
        <Component
          localizer={localizer}
          culture={locale}
          messages={messages}
          formats={formats}
          events={events}
          date={date}
          view={view}
          views={views}
          onNavigate={onNavigate}
          onView={onView}
          min={min}
          max={max}
          step={15}
          timeslots={4}
          components={components}
          popup
          {...rest}
        />
      </div>
    </section>
  );
}
