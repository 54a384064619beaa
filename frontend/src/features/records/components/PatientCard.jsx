import { StatusBadge } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useLiveAppointments } from "../../../lib/live.js";
import { useAppointments } from "../../../lib/queries/get-appointments.js";
import { longDateTime } from "../../../lib/tz.js";

const birthDate = (iso, locale) => new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "es-ES", { dateStyle: "long", timeZone: "UTC" })
  .format(new Date(`${iso}T00:00:00Z`));

/** Who the record is about (from the record's own answer, never from the URL) and their allergies at a glance. */
export function PatientHeader({ patientId, record }) {
  const { t, locale } = useI18n();
  const patient = record?.patient;
  const allergies = record?.allergies || [];
  return (
    <header className="patient-card">
      <h1>{t("record.title")}: {patient ? patient.full_name : t("patientCard.patientNo", { id: patientId })}</h1>
      {patient && (
        <p className="patient-facts">
          {patient.birth_date
            ? `${t("patientCard.age", { age: patient.age })} · ${t("patientCard.born", { date: birthDate(patient.birth_date, locale) })}`
            : t("patientCard.noBirthDate")}
        </p>
      )}
      {record && (allergies.length ? (
        <p className="alert alert-error allergies" role="note" aria-label={t("patientCard.allergies")}>
          <strong>{t("patientCard.allergies")}:</strong> {allergies.join(", ")}
        </p>
      ) : <p className="muted allergies">{t("patientCard.noAllergies")}</p>)}
    </header>
  );
}

function VisitList({ title, visits, zone }) {
  const { t, locale } = useI18n();
  return (
    <section>
      <h3>{title}</h3>
      {visits.length === 0 ? <p className="empty">{t("patientCard.noVisits")}</p> : (
        <ul className="visits">
          {visits.map((a) => (
            <li key={a.id}>
              <time dateTime={a.starts_at}>{longDateTime(a.starts_at, a.timezone || zone, locale)}</time>
              {" · "}{a.service_name} <StatusBadge status={a.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The patient's past and upcoming visits with the signed-in doctor (the server scopes a doctor's list to
 * their own appointments), kept current by the live stream. */
export function PatientVisits({ patientId, zone }) {
  const { t } = useI18n();
  useLiveAppointments();
  const visits = useAppointments({ patient_id: patientId });
  if (!visits.data) return null;
  const now = new Date();
  const sorted = [...visits.data].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const upcoming = sorted.filter((a) => new Date(a.starts_at) >= now);
  const past = sorted.filter((a) => new Date(a.starts_at) < now).reverse();
  return (
    <section className="panel visits-panel" aria-labelledby="visits-title">
      <h2 id="visits-title">{t("patientCard.visits")}</h2>
      <VisitList title={t("patientCard.upcoming")} visits={upcoming} zone={zone} />
      <VisitList title={t("patientCard.past")} visits={past} zone={zone} />
    </section>
  );
}
