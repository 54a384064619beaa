/**
 * Booking, open to visitors: find a doctor (each with their next free time), pick a time, confirm.
 * The account is asked for at confirmation; the chosen time survives signing up or in (pending.js).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ErrorMessage, Field, Loading } from "../../../components/ui.jsx";
import { useI18n } from "../../../lib/i18n.jsx";
import { useCreateAppointment } from "../../../lib/queries/appointment-mutations.js";
import { useClinics } from "../../../lib/queries/get-clinics.js";
import { useDoctors } from "../../../lib/queries/get-doctors.js";
import { prefetchSlots } from "../../../lib/queries/get-slots.js";
import { useServices } from "../../../lib/queries/get-services.js";
import { useSession } from "../../../lib/session.jsx";
import { BookingDone } from "./BookingDone.jsx";
import { ConfirmBooking } from "./ConfirmBooking.jsx";
import { DoctorFinder, filterDoctors } from "./DoctorFinder.jsx";
import { JoinWaitlist } from "./JoinWaitlist.jsx";
import { clearPending, loadPending, savePending } from "./pending.js";
import { TimePicker, firstSlotsParams } from "../../../components/picker/TimePicker.jsx";

/** Doctors at the top of the list whose first days of times are asked as soon as the list shows (the usual
 * next step is opening one of them: the times are then on screen at once); others are asked on hover/focus. */
const PREFETCH_FIRST = 3;

const endOf = (startsAt, service) => new Date(new Date(startsAt).getTime() + (service?.duration_minutes || 0) * 60000).toISOString();

export default function BookingPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const clinics = useClinics();
  const services = useServices();
  const doctors = useDoctors({});
  const create = useCreateAppointment();
  const [filters, setFilters] = useState({ specialty: "", clinicId: "", serviceId: "" });
  const [doctorId, setDoctorId] = useState(null);
  const [serviceId, setServiceId] = useState("");
  const [picked, setPicked] = useState(() => loadPending());
  const [restored] = useState(() => Boolean(loadPending()));
  const [booked, setBooked] = useState(null);
  const slotsHeading = useRef(null);
  const [focusSlots, setFocusSlots] = useState(0);
  useEffect(() => {
    if (focusSlots) slotsHeading.current?.focus();
  }, [focusSlots]);
  // `/book?doctor_id=…&service_id=…` (the "book again" and waitlist links of the emails) preselects both.
  const [params] = useSearchParams();
  const [preselect, setPreselect] = useState(() => ({
    doctorId: /^\d+$/.test(params.get("doctor_id") || "") ? Number(params.get("doctor_id")) : null,
    serviceId: /^\d+$/.test(params.get("service_id") || "") ? params.get("service_id") : "",
  }));
  useEffect(() => {
    if (!preselect || !doctors.data) return;
    const found = preselect.doctorId && doctors.data.find((d) => d.id === preselect.doctorId);
    if (found) {
      const ids = found.service_ids || [];
      setDoctorId(found.id);
      setServiceId(preselect.serviceId && ids.includes(Number(preselect.serviceId))
        ? preselect.serviceId : String(found.next_available?.service_id ?? ids[0] ?? ""));
      setFocusSlots((n) => n + 1);
    }
    setPreselect(null);
  }, [preselect, doctors.data]);

  const ready = Boolean(clinics.data && services.data && doctors.data);
  // The service a doctor's picker opens with: the one filtered on, else that of their next free time.
  const serviceFor = (doc) => {
    const ids = doc.service_ids || [];
    const wanted = filters.serviceId && ids.includes(Number(filters.serviceId)) ? filters.serviceId : "";
    return wanted || String(doc.next_available?.service_id ?? ids[0] ?? "");
  };
  const prefetchFor = (doc) => {
    const zone = clinics.data?.find((c) => c.id === doc.clinic_id)?.timezone || doc.clinic_timezone;
    const sid = serviceFor(doc);
    if (zone && sid) prefetchSlots(queryClient, firstSlotsParams(doc.id, sid, zone));
  };
  useEffect(() => {
    if (!ready || doctorId) return;
    filterDoctors(doctors.data, filters).filter((d) => d.next_available).slice(0, PREFETCH_FIRST).forEach(prefetchFor);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- asked again only when the list or its filters change
  }, [ready, doctors.data, filters]);

  if (clinics.isPending || services.isPending || doctors.isPending) return <Loading />;
  const failed = clinics.error || services.error || doctors.error;
  if (failed) return <ErrorMessage error={failed} />;
  const doctorOf = (id) => doctors.data.find((d) => d.id === Number(id));
  const serviceOf = (id) => services.data.find((s) => s.id === Number(id));
  const clinicOf = (doctor) => doctor && clinics.data.find((c) => c.id === doctor.clinic_id);
  const zoneOf = (doctor) => clinicOf(doctor)?.timezone || doctor?.clinic_timezone;

  const doctor = doctorOf(doctorId);
  const offered = doctor ? services.data.filter((s) => (doctor.service_ids || []).includes(s.id)) : [];
  const choice = picked && doctorOf(picked.doctor_id) && serviceOf(picked.service_id) ? picked : null;

  const choose = (next) => {
    setDoctorId(next.id);
    setServiceId(serviceFor(next));
    setPicked(null);
    setFocusSlots((n) => n + 1);
  };
  const pick = (doc, sid, slot) => {
    create.reset();
    setDoctorId(doc.id);
    setServiceId(String(sid));
    setPicked({ doctor_id: doc.id, service_id: Number(sid), starts_at: slot.starts_at, ends_at: slot.ends_at || endOf(slot.starts_at, serviceOf(sid)) });
  };
  const back = () => {
    clearPending();
    setPicked(null);
    setFocusSlots((n) => n + 1);
  };
  const toAccount = (path) => {
    savePending(choice);
    navigate(path);
  };
  const confirm = (reason) => {
    create.mutate(
      { doctor_id: choice.doctor_id, service_id: choice.service_id, starts_at: choice.starts_at, ...(reason ? { reason } : {}) },
      { onSuccess: (appointment) => { clearPending(); setBooked(appointment); setPicked(null); } },
    );
  };

  if (booked) {
    const bookedDoctor = doctorOf(booked.doctor_id);
    return (
      <div className="page">
        <h1>{t("book.title")}</h1>
        <BookingDone appointment={booked} doctor={bookedDoctor} service={serviceOf(booked.service_id)} clinic={clinicOf(bookedDoctor)}
          onAnother={() => { setBooked(null); setDoctorId(null); }} />
      </div>
    );
  }
  if (choice) {
    const chosenDoctor = doctorOf(choice.doctor_id);
    return (
      <div className="page">
        <h1>{t("book.title")}</h1>
        {restored && user && <p className="alert alert-success" role="status">{t("book.restored")}</p>}
        <ConfirmBooking doctor={chosenDoctor} service={serviceOf(choice.service_id)} clinic={clinicOf(chosenDoctor)}
          slot={choice} zone={zoneOf(chosenDoctor)} signedIn={Boolean(user)} pending={create.isPending} error={create.error}
          onConfirm={confirm} onBack={back} onAccount={toAccount} />
      </div>
    );
  }
  return (
    <div className="page">
      <h1>{t("book.title")}</h1>
      {!user && <p className="visitor-note">{t("book.visitor")} <Link to="/login">{t("book.signIn")}</Link></p>}
      <DoctorFinder doctors={doctors.data} clinics={clinics.data} services={services.data} filters={filters} onFilters={setFilters}
        selectedId={doctor?.id} onSelect={choose} onInterest={prefetchFor}
        onNextFree={(doc, next) => pick(doc, next.service_id, { starts_at: next.starts_at })} />
      {doctor && (
        <section aria-labelledby="slots-title" className="panel">
          <h2 id="slots-title" tabIndex={-1} ref={slotsHeading}>{t("book.slotsFor", { doctor: doctor.full_name })}</h2>
          <Field as="select" label={t("book.service")} name="service_id" value={serviceId}
            onChange={(e) => setServiceId(e.target.value)}>
            {offered.map((s) => <option key={s.id} value={s.id}>{s.name} ({s.duration_minutes} min)</option>)}
          </Field>
          {serviceId && (
            <TimePicker key={`${doctor.id}-${serviceId}`} doctorId={doctor.id} serviceId={serviceId} zone={zoneOf(doctor)}
              onPick={(slot) => pick(doctor, serviceId, slot)} />
          )}
          {user && <JoinWaitlist doctorId={doctor.id} serviceId={Number(serviceId)} clinicId={doctor.clinic_id} zone={zoneOf(doctor)} />}
        </section>
      )}
    </div>
  );
}
