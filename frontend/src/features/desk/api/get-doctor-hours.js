import { useQueries } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Each doctor's weekly hours and date overrides (clinic wall clock), to shade the hours outside them. */
export const getDoctorHours = async (doctorId) => {
  const [hours, overrides] = await Promise.all([
    api(`/doctors/${doctorId}/working-hours`), api(`/doctors/${doctorId}/date-overrides`)]);
  return { hours, overrides };
};

export function useDoctorHours(doctorIds) {
  const results = useQueries({
    queries: doctorIds.map((id) => ({ queryKey: ["doctor-hours", id], queryFn: () => getDoctorHours(id), staleTime: 60 * 1000 })),
  });
  const byDoctor = {};
  doctorIds.forEach((id, i) => { if (results[i]?.data) byDoctor[id] = results[i].data; });
  return byDoctor;
}

const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether a doctor works at a clinic wall time (a Date whose fields are the clinic's clock). */
export function worksAt(schedule, wall) {
  if (!schedule) return true; // not loaded yet: shade nothing rather than everything
  const key = `${wall.getFullYear()}-${String(wall.getMonth() + 1).padStart(2, "0")}-${String(wall.getDate()).padStart(2, "0")}`;
  const m = wall.getHours() * 60 + wall.getMinutes();
  const override = schedule.overrides.find((o) => o.date === key);
  const ranges = override ? override.ranges : schedule.hours.filter((h) => h.weekday === (wall.getDay() + 6) % 7);
  return ranges.some((r) => minutes(r.start) <= m && m < minutes(r.end));
}
