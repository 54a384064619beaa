import { useMemo, useState } from "react";
import { AppointmentPanel } from "../../../components/AppointmentPanel.jsx";
import { confirmationSuffix, shownOnCalendar } from "../../../components/ConfirmationBadge.jsx";
import { visibleDays } from "../../../components/calendar/setup.js";
import { ZonedCalendar } from "../../../components/calendar/ZonedCalendar.jsx";
import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useLiveAppointments } from "../../../lib/live.js";
import { useAppointments } from "../../../lib/queries/get-appointments.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { wallNow } from "../../../lib/tz.js";
import { useDoctorMe } from "../../../lib/queries/get-doctor-me.js";

function Agenda({ zone }) {
  const { t } = useI18n();
  const [view, setView] = useState("day");
  const [date, setDate] = useState(() => wallNow(zone));
  const [open, setOpen] = useState(null);
  const range = visibleDays(date, view);
  useLiveAppointments(); // one stream per tab (lib/live.js): refetch on every change
  const appointments = useAppointments({ from: range.from, to: range.to });
  const items = useMemo(() => (appointments.data || []).filter(shownOnCalendar)
    .map((a) => ({ ...a, title: `${a.patient_name || ""} · ${a.service_name || ""}${confirmationSuffix(t, a)}` })),
  [appointments.data, t]);
  return (
    <>
      <ErrorMessage error={appointments.error} />
      <div aria-busy={appointments.isFetching ? "true" : "false"}>
        <ZonedCalendar zone={zone} items={items} date={date} view={view} onNavigate={setDate} onView={setView}
          views={["day", "week", "agenda"]} label={t("agenda.title")}
          eventPropGetter={(event) => ({ className: `appt-event appt-${event.data.status}` })}
          onSelectEvent={(event) => setOpen(event.data)}
          onKeyPressEvent={(event, e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); setOpen(event.data); } }} />
      </div>
      {open && <AppointmentPanel appointment={open} zone={zone} actions={["attendance", "record", "cancel"]} onClose={() => setOpen(null)} />}
    </>
  );
}

export default function AgendaPage() {
  const { t } = useI18n();
  const doctor = useDoctorMe();
  const clinics = useClinics();
  if (doctor.isPending || clinics.isPending) return <Loading />;
  const zone = clinics.data?.find((c) => c.id === doctor.data?.clinic_id)?.timezone || doctor.data?.clinic_timezone;
  return (
    <div className="page">
      <h1>{t("agenda.title")}</h1>
      <ErrorMessage error={doctor.error || clinics.error} />
      <Agenda zone={zone} />
    </div>
  );
}
