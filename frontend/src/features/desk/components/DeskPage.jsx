import { useCallback, useMemo, useState } from "react";
import { AppointmentPanel } from "../../../components/AppointmentPanel.jsx";
import { confirmationSuffix, shownOnCalendar } from "../../../components/ConfirmationBadge.jsx";
import { DnDCalendar } from "../../../components/calendar/DnDCalendar.jsx";
import { visibleDays } from "../../../components/calendar/setup.js";
import { ZonedCalendar } from "../../../components/calendar/ZonedCalendar.jsx";
import { ErrorMessage, Field, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { noticeText } from "../../../lib/notice.js";
import { useRescheduleAppointment } from "../../../lib/queries/appointment-mutations.js";
import { useLiveAppointments } from "../../../lib/live.js";
import { useAppointments } from "../../../lib/queries/get-appointments.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { useServices } from "../../../lib/queries/get-services.js";
import { useSlots } from "../../../lib/queries/get-slots.js";
import { fromWall, isoInZone, toWall, wallNow } from "../../../lib/tz.js";
import { useDoctorHours, worksAt } from "../api/get-doctor-hours.js";
import { BookForPatient } from "./BookForPatient.jsx";
import { NoReplyList } from "./NoReplyList.jsx";
import { DeskEvent, Legend, STATUS_ICON } from "./DeskEvent.jsx";
import { DoctorFilter } from "./DoctorFilter.jsx";
import { loadHidden, saveHidden, visibleDoctors } from "./doctor-filter.js";

const STEP = 10; // minutes per grid row: fine enough to land on :00/:20/:40 or :15/:45 starts
// The narrowest a doctor's column gets before the calendar scrolls sideways (its headers scroll with it).
const MIN_COLUMN = { day: "7rem", week: "6.75rem" };
const storage = () => (typeof window !== "undefined" ? window.localStorage : null);

/** The free slot start nearest to a dropped wall time, if one lies within half the service's length. */
export function snapToSlot(slots, dropped, zone, durationMinutes) {
  let best = null;
  let bestGap = Infinity;
  for (const slot of slots) {
    const gap = Math.abs(toWall(slot.starts_at, zone).getTime() - dropped.getTime());
    if (gap < bestGap) { best = slot; bestGap = gap; }
  }
  return best && bestGap <= (durationMinutes * 60000) / 2 ? best.starts_at : null;
}

function ClinicCalendar({ clinic, doctors, services, clinicFilter }) {
  const { t, locale } = useI18n();
  const zone = clinic.timezone;
  const [hidden, setHiddenState] = useState(() => loadHidden(storage(), clinic.id));
  const setHidden = (next) => { setHiddenState(next); saveHidden(storage(), clinic.id, next); };
  const [view, setView] = useState("day");
  const [date, setDate] = useState(() => wallNow(zone));
  const [open, setOpen] = useState(null);
  const [booking, setBooking] = useState(false);
  const [message, setMessage] = useState(null);
  const [localError, setLocalError] = useState(null);
  const move = useRescheduleAppointment();
  const range = visibleDays(date, view);
  const shown = useMemo(() => visibleDoctors(doctors, hidden), [doctors, hidden]);
  const onlyOne = shown.length === 1 && doctors.length > 1 ? String(shown[0].id) : "";
  useLiveAppointments(); // one stream per tab (lib/live.js): refetch on every change
  const appointments = useAppointments({ from: range.from, to: range.to, clinic_id: clinic.id, ...(onlyOne ? { doctor_id: onlyOne } : {}) });
  const ids = new Set(shown.map((d) => d.id));
  const items = useMemo(() => (appointments.data || [])
    .filter((a) => shownOnCalendar(a) && ids.has(a.doctor_id))
    .map((a) => ({ ...a, resourceId: a.doctor_id, title: `${a.patient_name || ""} · ${a.service_name || ""} · ${a.doctor_name || ""}${confirmationSuffix(t, a)}` })),
  // eslint-disable-next-line react-hooks/exhaustive-deps
  [appointments.data, hidden, doctors, view, t]);
  // One column per doctor, in the day view and (doctors side by side within each day) in the week view.
  const resources = shown.map((d) => ({ id: d.id, title: d.full_name }));
  const schedules = useDoctorHours(shown.map((d) => d.id));
  const [dragging, setDragging] = useState(null);
  const free = useSlots({ doctorId: dragging?.doctor_id, serviceId: dragging?.service_id, from: range.from, to: range.to,
    patientId: dragging?.patient_id });
  const freeStarts = useMemo(() => (dragging && free.data ? free.data.slots.map((s) => toWall(s.starts_at, zone).getTime()) : []),
    [dragging, free.data, zone]);
  const durationOf = (a) => services.find((s) => s.id === a.service_id)?.duration_minutes
    || Math.round((new Date(a.ends_at) - new Date(a.starts_at)) / 60000);

  const slotPropGetter = useCallback((wall, resourceId) => {
    const doctorIds = resourceId != null ? [resourceId] : shown.map((d) => d.id);
    const classes = [];
    if (!doctorIds.some((id) => worksAt(schedules[id], wall))) classes.push("off-hours");
    if (dragging && (resourceId == null || resourceId === dragging.doctor_id)) {
      const t0 = wall.getTime();
      if (freeStarts.some((s) => s >= t0 && s < t0 + STEP * 60000)) classes.push("free-slot");
    }
    return classes.length ? { className: classes.join(" ") } : {};
  }, [schedules, shown, dragging, freeStarts]);

  const onEventDrop = ({ event, start, resourceId }) => {
    setMessage(null);
    setLocalError(null);
    setDragging(null);
    if (resourceId != null && resourceId !== event.data.doctor_id) {
      setLocalError({ code: "same_doctor", message: t("desk.sameDoctor") });
      return;
    }
    // Land on the service's real start times (a 20-minute service starts at :00/:20/:40); a drop far from
    // any free start goes as dropped, and the server's refusal says why.
    const snapped = free.data && dragging?.id === event.data.id
      ? snapToSlot(free.data.slots, start, zone, durationOf(event.data)) : null;
    const startsAt = snapped || isoInZone(fromWall(start, zone), zone);
    move.mutate({ id: event.data.id, starts_at: startsAt }, {
      onSuccess: (a) => setMessage({ key: "desk.moved", at: a.starts_at, zone }),
    });
  };
  const components = useMemo(() => ({ event: DeskEvent }), []);

  return (
    <>
      <div className="filters">
        {clinicFilter}
        <div className="field field-button">
          <button type="button" className="primary" onClick={() => { setMessage(null); setBooking(true); }} disabled={doctors.length === 0}>{t("desk.bookFor")}</button>
        </div>
      </div>
      {doctors.length > 1 && <DoctorFilter doctors={doctors} hidden={hidden} onChange={setHidden} />}
      <p className="muted">{t("desk.dndHelp")}</p>
      <Legend dragging={Boolean(dragging)} />
      <Notice>{noticeText(t, locale, message)}</Notice>
      <ErrorMessage error={localError || move.error || appointments.error} />
      <div className={`desk-calendar desk-${view}`} style={{ "--cols": shown.length * (view === "week" ? 7 : 1), "--col-min": MIN_COLUMN[view] }}
        aria-busy={appointments.isFetching || move.isPending ? "true" : "false"}>
        <ZonedCalendar component={DnDCalendar} zone={zone} items={items} date={date} view={view}
          onNavigate={setDate} onView={setView} views={["day", "week"]} label={t("desk.title")}
          resources={resources} resourceIdAccessor="id" resourceTitleAccessor="title" resourceGroupingLayout={view === "week"}
          step={STEP} timeslots={6} height={view === "week" ? 1100 : 980} slotPropGetter={slotPropGetter}
          draggableAccessor={(event) => event.data.status === "booked"} resizable={false}
          onDragStart={({ event }) => { setLocalError(null); setDragging(event.data); }}
          onEventDrop={onEventDrop} onSelectEvent={(event) => { setDragging(null); setOpen(event.data); }}
          onKeyPressEvent={(event, e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); setOpen(event.data); } }}
          tooltipAccessor={(event) => `${STATUS_ICON[event.data.status] || ""} ${t(`status.${event.data.status}`)} · ${event.title}`}
          components={components} dayLayoutAlgorithm="no-overlap"
          eventPropGetter={(event) => ({ className: `appt-event appt-${event.data.status}` })} />
      </div>
      <NoReplyList clinicId={clinic.id} />
      {open && <AppointmentPanel appointment={open} zone={zone} actions={["attendance", "cancel", "reschedule"]} onClose={() => setOpen(null)} />}
      {booking && (
        <BookForPatient doctors={shown} services={services} zone={zone}
          onDone={(text) => { setBooking(false); setMessage(text); }} onClose={() => setBooking(false)} />
      )}
    </>
  );
}

export default function DeskPage() {
  const { t } = useI18n();
  const clinics = useClinics();
  const services = useServices();
  const [clinicId, setClinicId] = useState("");
  const current = clinics.data?.find((c) => String(c.id) === clinicId) || clinics.data?.[0];
  const doctors = useDoctors(current ? { clinic_id: current.id } : {});
  if (clinics.isPending || services.isPending) return <Loading />;
  return (
    <div className="page page-wide">
      <h1>{t("desk.title")}</h1>
      <ErrorMessage error={clinics.error || services.error || doctors.error} />
      {current && (
        <>
          {doctors.isPending ? <Loading /> : (
            <ClinicCalendar key={current.id} clinic={current} doctors={doctors.data || []} services={services.data || []}
              clinicFilter={(
                <Field as="select" label={t("desk.clinic")} name="clinic_filter" value={String(current.id)} onChange={(e) => setClinicId(e.target.value)}>
                  {clinics.data.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                </Field>
              )} />
          )}
        </>
      )}
    </div>
  );
}
