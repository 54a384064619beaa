import { useMemo } from "react";
import { Field } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { shortTime } from "../../../lib/tz.js";
import { clinicDay } from "../../../components/picker/slot-days.js";
import { dayTitle } from "../../../components/picker/TimePicker.jsx";

/** Filters the doctors (one list, asked once per page) by specialty, clinic and service, on this side. */
export function filterDoctors(doctors, { specialty, clinicId, serviceId }) {
  return doctors.filter((d) => (!specialty || d.specialty === specialty)
    && (!clinicId || String(d.clinic_id) === String(clinicId))
    && (!serviceId || (d.service_ids || []).includes(Number(serviceId))));
}

export function DoctorFinder({ doctors, clinics, services, filters, onFilters, selectedId, onSelect, onNextFree, onInterest = () => {} }) {
  const { t, locale } = useI18n();
  const specialties = useMemo(() => [...new Set(doctors.map((d) => d.specialty).filter(Boolean))].sort(), [doctors]);
  const shown = filterDoctors(doctors, filters);
  const clinicOf = (id) => clinics.find((c) => c.id === id);
  const serviceOf = (id) => services.find((s) => s.id === id);
  const set = (name) => (e) => onFilters({ ...filters, [name]: e.target.value });
  return (
    <section aria-labelledby="find-doctor">
      <h2 id="find-doctor">{t("book.findDoctor")}</h2>
      <div className="filters">
        <Field as="select" label={t("book.specialty")} name="specialty" value={filters.specialty} onChange={set("specialty")}>
          <option value="">{t("book.any")}</option>
          {specialties.map((s) => <option key={s} value={s}>{s}</option>)}
        </Field>
        <Field as="select" label={t("book.clinic")} name="clinic" value={filters.clinicId} onChange={set("clinicId")}>
          <option value="">{t("book.any")}</option>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Field>
        <Field as="select" label={t("book.service")} name="service" value={filters.serviceId} onChange={set("serviceId")}>
          <option value="">{t("book.any")}</option>
          {services.map((s) => <option key={s.id} value={s.id}>{s.name} ({s.duration_minutes} min)</option>)}
        </Field>
      </div>
      <h3>{t("book.doctors")}</h3>
      {shown.length === 0 && <p className="empty">{t("book.noDoctors")}</p>}
      <ul className="cards">
        {shown.map((doctor) => {
          const clinic = clinicOf(doctor.clinic_id);
          const zone = clinic?.timezone || doctor.clinic_timezone;
          const next = doctor.next_available;
          const nextService = next && serviceOf(next.service_id);
          const when = next && `${dayTitle(clinicDay(next.starts_at, zone), locale)} ${shortTime(next.starts_at, zone, locale)}`;
          return (
            <li key={doctor.id} className={`card ${doctor.id === selectedId ? "card-on" : ""}`}>
              <strong>{doctor.full_name}</strong>
              <span>{doctor.specialty}</span>
              <span className="muted">{clinic?.name || doctor.clinic_name}</span>
              {next ? (
                <button type="button" className="primary" onClick={() => onNextFree(doctor, next)}
                  aria-label={t("book.nextAtFor", { doctor: doctor.full_name, when, service: nextService?.name || "" })}>
                  {t("book.nextAt", { when })}
                </button>
              ) : <span className="muted">{t("book.noNext")}</span>}
              {nextService && <small className="muted">{nextService.name}</small>}
              <button type="button" onClick={() => onSelect(doctor)} onPointerEnter={() => onInterest(doctor)}
                onFocus={() => onInterest(doctor)} aria-pressed={doctor.id === selectedId}
                aria-label={`${t("book.seeSlots")}: ${doctor.full_name}`}>{t("book.seeSlots")}</button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
