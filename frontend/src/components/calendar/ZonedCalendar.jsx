import "react-big-calendar/lib/css/react-big-calendar.css";
import { useEffect, useMemo, useRef } from "react";
import { Calendar } from "react-big-calendar";
import { useI18n } from "../../lib/i18n.jsx";
import { toWall, wallNow, zoneLabel } from "../../lib/tz.js";
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

// react-big-calendar's own headers are `<span role="columnheader">` outside any row or grid, which
// assistive technology cannot place (axe: aria-required-parent, critical): plain text instead; the
// header's date button stays a button with the day's name.
function PlainHeader({ label }) {
  return <span className="rbc-header-label">{label}</span>;
}

function PlainResourceHeader({ label }) {
  return <span className="rbc-resource-label">{label}</span>;
}

const DAY_START = 7;
const DAY_END = 21;

/** 07:00–21:00, stretched to whole hours so that no event falls outside the grid. */
export function gridHours(events) {
  let first = DAY_START;
  let last = DAY_END;
  for (const { start, end } of events) {
    first = Math.min(first, start.getHours());
    const sameDay = end.getDate() === start.getDate();
    last = Math.max(last, sameDay ? end.getHours() + (end.getMinutes() ? 1 : 0) : 24);
  }
  return {
    min: new Date(1970, 0, 1, first, 0),
    max: last >= 24 ? new Date(1970, 0, 1, 23, 59) : new Date(1970, 0, 1, last, 0),
  };
}

/**
 * react-big-calendar in the clinic's time zone. `date` is a wall Date (see lib/tz.js); `component`
 * lets a drag-and-drop variant be passed in without loading that addon for everyone.
 */
export function ZonedCalendar({
  zone, items, date, view, onNavigate, onView, views = ["week", "day"], component: Component = Calendar,
  eventContent, label, height = 640, components: extra, ...rest
}) {
  const { t, locale } = useI18n();
  const events = useMemo(() => toCalendarEvents(items, zone), [items, zone]);
  const messages = useMemo(() => calendarMessages(t), [t]);
  const { min, max } = useMemo(() => gridHours(events), [events]);
  // Open the day at its first event (or at 07:00), not wherever the browser's clock points.
  const firstHour = useMemo(() => events.reduce((h, e) => Math.min(h, e.start.getHours()), 7), [events]);
  const scrollToTime = useMemo(() => new Date(1970, 0, 1, firstHour, 0), [firstHour]);
  const components = useMemo(() => ({ header: PlainHeader, resourceHeader: PlainResourceHeader,
    ...(eventContent ? { event: eventContent } : {}), ...(extra || {}) }), [eventContent, extra]);
  // The hours scroll inside react-big-calendar's .rbc-time-content: keyboard users must be able to reach
  // and scroll it even when it holds no event (axe: scrollable-region-focusable).
  const box = useRef(null);
  const scrollLabel = t("calendar.scrollArea");
  useEffect(() => {
    const region = box.current?.querySelector(".rbc-time-content");
    if (region && region.getAttribute("tabindex") !== "0") {
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "group");
    }
    if (region) region.setAttribute("aria-label", scrollLabel);
  });
  return (
    <section className="calendar" aria-label={label} ref={box}>
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
          getNow={() => wallNow(zone)}
          scrollToTime={scrollToTime}
          step={30}
          timeslots={2}
          components={components}
          popup
          // Back-to-back visits (11:50–12:10, 12:10–12:40) each keep the full width; only real overlaps share it.
          dayLayoutAlgorithm="no-overlap"
          {...rest}
        />
      </div>
    </section>
  );
}
