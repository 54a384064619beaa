import { useState } from "react";
import { TimePicker } from "../../../components/picker/TimePicker.jsx";
import { ErrorMessage, Field, Loading, Modal } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useCreateAppointment } from "../../../lib/queries/appointment-mutations.js";
import { longDateTime } from "../../../lib/tz.js";
import { useSearchPatients } from "../api/search-patients.js";
import { RegisterWalkIn } from "./RegisterWalkIn.jsx";

function PatientSearch({ onPick }) {
  const { t } = useI18n();
  const [q, setQ] = useState("");
  const [walkIn, setWalkIn] = useState(false);
  const found = useSearchPatients(q);
  if (walkIn) return <RegisterWalkIn initialName={q.trim()} onRegistered={onPick} onCancel={() => setWalkIn(false)} />;
  return (
    <div>
      <Field label={t("desk.searchPatient")} name="patient_q" type="search" value={q} autoComplete="off"
        onChange={(e) => setQ(e.target.value)} />
      {found.isFetching && <Loading />}
      <ErrorMessage error={found.error} />
      {found.data && (found.data.length === 0 ? <p className="empty">{t("desk.noPatients")}</p> : (
        <ul className="pick-list" aria-label={t("desk.choosePatient")}>
          {found.data.map((p) => (
            <li key={p.id}><button type="button" onClick={() => onPick(p)}>{p.full_name} <small>{p.email ?? t("walkIn.noEmail")}</small></button></li>
          ))}
        </ul>
      ))}
      {found.data && <p><button type="button" className="link-button" onClick={() => setWalkIn(true)}>{t("walkIn.offer")}</button></p>}
    </div>
  );
}

export function BookForPatient({ doctors, services, zone, onDone, onClose }) {
  const { t, locale } = useI18n();
  const create = useCreateAppointment();
  const [patient, setPatient] = useState(null);
  const [doctorId, setDoctorId] = useState(String(doctors[0]?.id ?? ""));
  const doctor = doctors.find((d) => String(d.id) === doctorId);
  const offered = services.filter((s) => (doctor?.service_ids || []).includes(s.id));
  const [serviceId, setServiceId] = useState(String(offered[0]?.id ?? ""));
  const [slot, setSlot] = useState(null);
  const effectiveService = offered.some((s) => String(s.id) === serviceId) ? serviceId : String(offered[0]?.id ?? "");
  const book = () => create.mutate(
    { doctor_id: doctor.id, service_id: Number(effectiveService), starts_at: slot.starts_at, patient_id: patient.id },
    { onSuccess: (a) => onDone({ key: "desk.booked", at: a.starts_at, zone, vars: { patient: patient.full_name } }) },
  );
  return (
    <Modal title={t("desk.bookFor")} onClose={onClose}>
      {!patient ? <PatientSearch onPick={setPatient} /> : (
        <>
          <p><strong>{t("appts.patient")}:</strong> {patient.full_name} ({patient.email ?? t("walkIn.noEmail")}){" "}
            <button type="button" className="link-button" onClick={() => setPatient(null)}>{t("desk.changePatient")}</button></p>
          <div className="filters">
            <Field as="select" label={t("desk.doctor")} name="doctor_id" value={doctorId}
              onChange={(e) => { setDoctorId(e.target.value); setSlot(null); }}>
              {doctors.map((d) => <option key={d.id} value={d.id}>{d.full_name} · {d.specialty}</option>)}
            </Field>
            <Field as="select" label={t("book.service")} name="service_id" value={effectiveService}
              onChange={(e) => { setServiceId(e.target.value); setSlot(null); }}>
              {offered.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </Field>
          </div>
          <ErrorMessage error={create.error} />
          {slot ? (
            <div className="panel">
              <p><strong>{longDateTime(slot.starts_at, zone, locale)}</strong> · {doctor?.full_name}</p>
              <div className="actions">
                <button type="button" onClick={() => setSlot(null)}>{t("app.cancel")}</button>
                <button type="button" className="primary" onClick={book} disabled={create.isPending}>{t("book.confirm")}</button>
              </div>
            </div>
          ) : doctor && effectiveService && (
            <section aria-label={t("book.chooseSlot")}>
              <TimePicker key={`${doctorId}-${effectiveService}-${patient.id}`} doctorId={doctor.id} serviceId={effectiveService}
                patientId={patient.id} zone={zone} onPick={(s) => { create.reset(); setSlot(s); }} />
            </section>
          )}
        </>
      )}
    </Modal>
  );
}
