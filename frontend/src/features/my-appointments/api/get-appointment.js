import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** One appointment of the signed-in patient (someone else's answers 404). */
export const getAppointment = (id) => api(`/appointments/${encodeURIComponent(id)}`);

export function useAppointment(id) {
  return useQuery({ queryKey: ["appointments", "one", String(id)], queryFn: () => getAppointment(id), enabled: Boolean(id) });
}
