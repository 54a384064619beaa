import { useMemo, useState } from "react";
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
import { fromWall, isoInZone, wallNow } from "../../../lib/tz.js";
import { BookForPatient } from "./BookForPatient.jsx";
import { NoReplyList } from "./NoReplyList.jsx";

function ClinicCalendar({ clinic, doctors, services, clinicFilter }) {
  const { t, locale } = useI18n();
  const zone = clinic.timezone;
  const [doctorId, setDoctorId] = useState("");
  const [view, setView] = useState("day");
  const [date, setDate] = useState(() => wallNow(zone));
  const [open, setOpen] = useState(null);
  const [booking, setBooking] = useState(false);
  const [message, setMessage] = useState(null);
  const [localError, setLocalError] = useState(null);
  const move = useRescheduleAppointment();
  const range = visibleDays(date, view);
  const shown = doctorId ? doctors.filter((d) => String(d.id) === doctorId) : doctors;
  useLiveAppointments(); // one stream per tab (lib/live.js): refetch on every change
  const appointments = useAppointments({ from: range.from, to: range.to, clinic_id: clinic.id, ...(doctorId ? { doctor_id: doctorId } : {}) });
  const ids = new Set(shown.map((d) => d.id));
  const items = useMemo(() => (appointments.data || [])
    .filter((a) => shownOnCalendar(a) && ids.has(a.doctor_id))
    .map((a) => ({ ...a, resourceId: a.doctor_id, title: `${a.patient_name || ""} · ${a.service_name || ""}${view === "day" ? "" : ` · ${a.doctor_name || ""}`}${confirmationSuffix(t, a)}` })),
  // eslint-disable-next-line react-hooks/exhaustive-deps
  [appointments.data, doctorId, doctors, view, t]);
  const resources = view === "day" ? shown.map((d) => ({ id: d.id, title: d.full_name })) : undefined;

  const onEventDrop = ({ event, start, resourceId }) => {
    setMessage(null);
    setLocalError(null);
    if (resources && resourceId != null && resourceId !== event.data.doctor_id) {
      setLocalError({ code: "same_doctor", message: t("desk.sameDoctor") });
      return;
    }
    const startsAt = isoInZone(fromWall(start, zone), zone);
    move.mutate({ id: event.data.id, starts_at: startsAt }, {
      onSuccess: (a) => setMessage({ key: "desk.moved", at: a.starts_at, zone }),
    });
  };

  return (
    <>
      <div className="filters">
        {clinicFilter}
        <Field as="select" label={t("desk.doctor")} name="doctor_filter" value={doctorId} onChange={(e) => setDoctorId(e.target.value)}>
          <option value="">{t("desk.allDoctors")}</option>
          {doctors.map((d) => <option key={d.id} value={d.id}>{d.full_name}</option>)}
        </Field>
        <div className="field field-button">
          <button type="button" className="primary" onClick={() => { setMessage(null); setBooking(true); }} disabled={doctors.length === 0}>{t("desk.bookFor")}</button>
        </div>
      </div>
      <p className="muted">{t("desk.dndHelp")}</p>
      <Notice>{noticeText(t, locale, message)}</Notice>
      <ErrorMessage error={localError || move.error || appointments.error} />
      <div aria-busy={appointments.isFetching || move.isPending ? "true" : "false"}>
        <ZonedCalendar component={DnDCalendar} zone={zone} items={items} date={date} view={view}
          onNavigate={setDate} onView={setView} views={["day", "week"]} label={t("desk.title")}
          resources={resources} resourceIdAccessor="id" resourceTitleAccessor="title"
          draggableAccessor={(event) => event.data.status === "booked"} resizable={false}
          onEventDrop={onEventDrop} onSelectEvent={(event) => setOpen(event.data)}
          onKeyPressEvent={(event, e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); setOpen(event.data); } }}
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
