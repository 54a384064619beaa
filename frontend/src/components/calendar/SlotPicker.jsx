/**
 * Free slots of one doctor and service in a week/day calendar, each a labelled button.
 * Keyboard: Tab moves through the slots, Enter or Space picks one.
 */
import { useCallback, useMemo, useState } from "react";
import { useSlots } from "../../lib/queries/get-slots.js";
import { useI18n } from "../../lib/i18n.jsx";
import { longDateTime, toWall, wallNow } from "../../lib/tz.js";
import { ErrorMessage, Loading } from "../ui.jsx";
import { visibleDays } from "./setup.js";
import { ZonedCalendar } from "./ZonedCalendar.jsx";

export function SlotCalendar({ slots, zone, date, view, onNavigate, onView, onPick, label, current }) {
  const { t, locale } = useI18n();
  const items = useMemo(() => {
    const free = slots.map((slot) => ({
      ...slot,
      id: slot.starts_at,
      title: t("calendar.free"),
      label: t("calendar.bookSlot", { when: longDateTime(slot.starts_at, zone, locale) }),
    }));
    // The appointment being moved is shown too, so the new time can be chosen next to it.
    return current
      ? [...free, { ...current, id: "current", current: true, title: t("calendar.current"),
        label: `${t("calendar.current")}: ${longDateTime(current.starts_at, zone, locale)}` }]
      : free;
  }, [slots, zone, t, locale, current]);
  const EventContent = useCallback(({ event }) => (
    event.data.current ? <span>{event.title}</span> : <span className="sr-only">{event.data.label}</span>
  ), []);
  return (
    <ZonedCalendar
      zone={zone}
      items={items}
      date={date}
      view={view}
      onNavigate={onNavigate}
      onView={onView}
      label={label}
      eventContent={EventContent}
      eventPropGetter={(event) => ({ className: event.data.current ? "current-event" : "slot-event" })}
      onSelectEvent={(event) => !event.data.current && onPick(event.data)}
      onKeyPressEvent={(event, e) => {
        if (!event.data.current && (e.key === "Enter" || e.key === " ")) {
          e.preventDefault();
          onPick(event.data);
        }
      }}
      tooltipAccessor={(event) => event.data.label}
    />
  );
}

/** Fetches the visible range's slots; the zone comes from the API's answer (the clinic's). */
export function SlotPicker({ doctorId, serviceId, patientId, zone: knownZone, onPick, label, current }) {
  const { t } = useI18n();
  const [view, setView] = useState("week");
  const [date, setDate] = useState(() => (current ? toWall(current.starts_at, knownZone) : wallNow(knownZone)));
  const range = visibleDays(date, view);
  const slots = useSlots({ doctorId, serviceId, patientId, from: range.from, to: range.to });
  const zone = slots.data?.timezone || knownZone;
  if (slots.isPending) return <Loading />;
  return (
    <div className="slot-picker" aria-busy={slots.isFetching ? "true" : "false"}>
      <ErrorMessage error={slots.error} />
      {slots.data && slots.data.slots.length === 0 && <p className="empty">{t("book.noSlots")}</p>}
      <SlotCalendar slots={slots.data?.slots || []} zone={zone} date={date} view={view}
        onNavigate={setDate} onView={setView} onPick={(slot) => onPick(slot, zone)} label={label} current={current} />
    </div>
  );
}
