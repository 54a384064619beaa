import { useMemo, useState } from "react";
import { ErrorMessage, Field, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useDoctors } from "../../../lib/queries/get-doctors.js";

/** Filters by specialty, clinic and service; lists the matching doctors. */
export function DoctorFinder({ clinics, services, filters, onFilters, selectedId, onSelect }) {
  const { t } = useI18n();
  const all = useDoctors({});
  // Only the filters set: with none, this is the same query (and request) as `all` above.
  const query = Object.fromEntries(Object.entries({ specialty: filters.specialty, clinic_id: filters.clinicId,
    service_id: filters.serviceId }).filter(([, value]) => value));
  const doctors = useDoctors(query);
  const specialties = useMemo(() => [...new Set((all.data || []).map((d) => d.specialty).filter(Boolean))].sort(), [all.data]);
  const clinicName = (id) => clinics.find((c) => c.id === id)?.name || "";
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
      <ErrorMessage error={doctors.error} />
      {doctors.isPending ? <Loading /> : (
        <>
          <h3>{t("book.doctors")}</h3>
          {doctors.data.length === 0 && <p className="empty">{t("book.noDoctors")}</p>}
          <ul className="cards">
            {doctors.data.map((doctor) => (
              <li key={doctor.id} className={`card ${doctor.id === selectedId ? "card-on" : ""}`}>
                <strong>{doctor.full_name}</strong>
                <span>{doctor.specialty}</span>
                <span className="muted">{clinicName(doctor.clinic_id)}</span>
                <button type="button" onClick={() => onSelect(doctor)} aria-pressed={doctor.id === selectedId}
                  aria-label={`${t("book.seeSlots")}: ${doctor.full_name}`}>{t("book.seeSlots")}</button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
