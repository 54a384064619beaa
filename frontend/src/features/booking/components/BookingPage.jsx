import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage, Field, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { noticeText } from "../../../lib/notice.js";
import { useCreateAppointment } from "../../../lib/queries/appointment-mutations.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { useServices } from "../../../lib/queries/get-services.js";
import { ConfirmBooking } from "./ConfirmBooking.jsx";
import { DoctorFinder } from "./DoctorFinder.jsx";
import { JoinWaitlist } from "./JoinWaitlist.jsx";

// The calendar (react-big-calendar, the heaviest code of the app) loads once the doctors are on screen, not
// before: on a slow phone its download and start-up would delay the list of doctors by seconds.
const loadPicker = () => import("../../../components/calendar/SlotPicker.jsx");
const SlotPicker = lazy(() => loadPicker().then((m) => ({ default: m.SlotPicker })));

export default function BookingPage() {
  const { t, locale } = useI18n();
  const clinics = useClinics();
  const services = useServices();
  const create = useCreateAppointment();
  // `/book?doctor_id=…&service_id=…` (the "book again" and waitlist links of the emails) preselects both.
  const [params] = useSearchParams();
  const wanted = { doctorId: /^\d+$/.test(params.get("doctor_id") || "") ? Number(params.get("doctor_id")) : null,
    serviceId: /^\d+$/.test(params.get("service_id") || "") ? params.get("service_id") : "" };
  const allDoctors = useDoctors({});
  const [applied, setApplied] = useState(false);
  const [filters, setFilters] = useState({ specialty: "", clinicId: "", serviceId: wanted.serviceId });
  const [doctor, setDoctor] = useState(null);
  const [serviceId, setServiceId] = useState("");
  const [picked, setPicked] = useState(null);
  const [confirmed, setConfirmed] = useState(null);
  const slotsHeading = useRef(null);
  useEffect(() => {
    // Choosing a doctor moves the reader (and keyboard focus) to that doctor's calendar.
    if (doctor) slotsHeading.current?.focus();
  }, [doctor]);

  const choose = (next) => {
    setDoctor(next);
    setPicked(null);
    const ids = next.service_ids || [];
    setServiceId(filters.serviceId && ids.includes(Number(filters.serviceId)) ? filters.serviceId : String(ids[0] ?? ""));
  };
  useEffect(() => {
    if (applied || !wanted.doctorId || !allDoctors.data) return;
    setApplied(true);
    const found = allDoctors.data.find((d) => d.id === wanted.doctorId);
    if (found) choose(found);
  });

  useEffect(() => {
    if (!allDoctors.data) return undefined;
    const timer = setTimeout(() => loadPicker().catch(() => {}), 0); // after the doctors have painted
    return () => clearTimeout(timer);
  }, [allDoctors.data]);

  if (clinics.isPending || services.isPending) return <Loading />;
  if (clinics.error || services.error) return <ErrorMessage error={clinics.error || services.error} />;
  const offered = doctor ? services.data.filter((s) => (doctor.service_ids || []).includes(s.id)) : [];
  const service = services.data.find((s) => String(s.id) === String(serviceId));
  const clinic = doctor && clinics.data.find((c) => c.id === doctor.clinic_id);

  const confirm = (reason) => {
    create.mutate(
      { doctor_id: doctor.id, service_id: Number(serviceId), starts_at: picked.slot.starts_at, ...(reason ? { reason } : {}) },
      {
        onSuccess: (appointment) => {
          setConfirmed({ key: "book.confirmed", at: appointment.starts_at, zone: appointment.timezone || picked.zone, vars: { doctor: doctor.full_name, service: service?.name } });
          setPicked(null);
        },
      },
    );
  };
  return (
    <div className="page">
      <h1>{t("book.title")}</h1>
      {confirmed && (
        <div className="alert alert-success" role="alert">
          <p>{noticeText(t, locale, confirmed)}</p>
          <Link to="/appointments">{t("book.seeMine")}</Link>
        </div>
      )}
      <DoctorFinder clinics={clinics.data} services={services.data} filters={filters} onFilters={setFilters}
        selectedId={doctor?.id} onSelect={choose} />
      {doctor && (
        <section aria-labelledby="slots-title" className="panel">
          <h2 id="slots-title" tabIndex={-1} ref={slotsHeading}>{t("book.slotsFor", { doctor: doctor.full_name })}</h2>
          <Field as="select" label={t("book.service")} name="service_id" value={serviceId}
            onChange={(e) => { setServiceId(e.target.value); setPicked(null); }}>
            {offered.map((s) => <option key={s.id} value={s.id}>{s.name} ({s.duration_minutes} min)</option>)}
          </Field>
          <p>{t("book.chooseSlot")}</p>
          {serviceId && (
            <Suspense fallback={<Loading />}>
              <SlotPicker key={`${doctor.id}-${serviceId}`} doctorId={doctor.id} serviceId={serviceId}
                zone={clinic?.timezone || doctor.clinic_timezone} label={t("book.chooseSlot")}
                onPick={(slot, zone) => { create.reset(); setConfirmed(null); setPicked({ slot, zone }); }} />
            </Suspense>
          )}
          <JoinWaitlist doctorId={doctor.id} serviceId={Number(serviceId)} clinicId={doctor.clinic_id} zone={clinic?.timezone || doctor.clinic_timezone} />
        </section>
      )}
      {picked && (
        <ConfirmBooking doctor={doctor} service={service} slot={picked.slot} zone={picked.zone}
          pending={create.isPending} error={create.error} onConfirm={confirm} onClose={() => setPicked(null)} />
      )}
    </div>
  );
}
