import { ErrorMessage, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { zoneLabel } from "../../../lib/tz.js";
import { useDoctorMe } from "../../../lib/queries/get-doctor-me.js";
import { useTimeOff } from "../api/get-time-off.js";
import { useWorkingHours } from "../api/get-working-hours.js";
import { DateOverridesEditor } from "./DateOverridesEditor.jsx";
import { TimeOffEditor } from "./TimeOffEditor.jsx";
import { WorkingHoursEditor } from "./WorkingHoursEditor.jsx";

export default function SchedulePage() {
  const { t } = useI18n();
  const doctor = useDoctorMe();
  const clinics = useClinics();
  const id = doctor.data?.id;
  const hours = useWorkingHours(id);
  const timeOff = useTimeOff(id);
  if (doctor.isPending || clinics.isPending) return <Loading />;
  if (doctor.error) return <div className="page"><ErrorMessage error={doctor.error} /></div>;
  const zone = clinics.data?.find((c) => c.id === doctor.data.clinic_id)?.timezone || doctor.data.clinic_timezone;
  return (
    <div className="page">
      <h1>{t("schedule.title")}</h1>
      <p className="tz-note">{t("app.timezoneNote", { zone: zoneLabel(zone) })}</p>
      <ErrorMessage error={hours.error || timeOff.error} />
      {hours.isPending ? <Loading /> : <WorkingHoursEditor doctorId={id} hours={hours.data || []} />}
      <DateOverridesEditor doctorId={id} zone={zone} />
      {timeOff.isPending ? <Loading /> : <TimeOffEditor doctorId={id} zone={zone} items={timeOff.data || []} />}
    </div>
  );
}
