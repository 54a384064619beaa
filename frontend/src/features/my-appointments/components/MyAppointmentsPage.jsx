import { useMemo, useState } from "react";
import { changeDeadline } from "../../../components/picker/slot-days.js";
import { ZonedCalendar } from "../../../components/calendar/ZonedCalendar.jsx";
import { ErrorMessage, Loading, Notice } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { noticeText } from "../../../lib/notice.js";
import { useLiveAppointments } from "../../../lib/live.js";
import { useAppointments } from "../../../lib/queries/get-appointments.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { browserZone, wallNow } from "../../../lib/tz.js";
import { CancelDialog, RescheduleDialog } from "./AppointmentDialogs.jsx";
import { AppointmentItem } from "./AppointmentItem.jsx";

export default function MyAppointmentsPage() {
  const { t, locale } = useI18n();
  useLiveAppointments(); // one stream per tab (lib/live.js): refetch on every change
  const appointments = useAppointments({});
  const clinics = useClinics();
  const clinicOf = (a) => (clinics.data || []).find((c) => c.id === a.clinic_id);
  const [mode, setMode] = useState("list");
  const [dialog, setDialog] = useState(null);
  const [done, setDone] = useState(null);
  const [view, setView] = useState("month");
  const items = useMemo(() => [...(appointments.data || [])].sort((a, b) => a.starts_at.localeCompare(b.starts_at)), [appointments.data]);
  // Every appointment carries its clinic's zone; with none yet, a clinic's, else the browser's own.
  const zone = items[0]?.timezone || clinics.data?.[0]?.timezone || browserZone();
  const [date, setDate] = useState(() => wallNow(zone));
  const now = new Date();
  const upcoming = items.filter((a) => new Date(a.ends_at) >= now);
  const past = items.filter((a) => new Date(a.ends_at) < now).reverse();
  const finish = (message) => { setDialog(null); setDone(message); };
  const open = (kind) => (appointment) => { setDone(null); setDialog({ kind, appointment }); };
  return (
    <div className="page">
      <h1>{t("appts.title")}</h1>
      <Notice>{noticeText(t, locale, done)}</Notice>
      <div className="tabs" role="group">
        <button type="button" aria-pressed={mode === "list"} onClick={() => setMode("list")}>{t("appts.list")}</button>
        <button type="button" aria-pressed={mode === "calendar"} onClick={() => setMode("calendar")}>{t("appts.calendar")}</button>
      </div>
      <ErrorMessage error={appointments.error} />
      {appointments.isPending ? <Loading /> : mode === "list" ? (
        <>
          <h2>{t("appts.upcoming")}</h2>
          {upcoming.length === 0 ? <p className="empty">{t("appts.empty")}</p> : (
            <ul className="appointments">
              {upcoming.map((a) => <AppointmentItem key={a.id} appointment={a} clinic={clinicOf(a)} onReschedule={open("reschedule")} onCancel={open("cancel")} />)}
            </ul>
          )}
          {past.length > 0 && (
            <>
              <h2>{t("appts.past")}</h2>
              <ul className="appointments">
                {past.map((a) => <AppointmentItem key={a.id} appointment={a} clinic={clinicOf(a)} onReschedule={open("reschedule")} onCancel={open("cancel")} />)}
              </ul>
            </>
          )}
        </>
      ) : (
        <ZonedCalendar zone={zone} date={date} view={view} onNavigate={setDate} onView={setView}
          views={["month", "week", "day", "agenda"]} label={t("appts.calendar")}
          items={items.filter((a) => a.status !== "cancelled").map((a) => ({ ...a, title: `${a.service_name || ""} · ${a.doctor_name || ""}` }))}
          onSelectEvent={(event) => event.data.status === "booked"
            && changeDeadline(event.data.starts_at, clinicOf(event.data)?.change_cutoff_hours ?? 24) > now && open("reschedule")(event.data)} />
      )}
      {dialog?.kind === "reschedule" && <RescheduleDialog appointment={dialog.appointment} onDone={finish} onClose={() => setDialog(null)} />}
      {dialog?.kind === "cancel" && <CancelDialog appointment={dialog.appointment} clinic={clinicOf(dialog.appointment)} onDone={finish} onClose={() => setDialog(null)} />}
    </div>
  );
}
