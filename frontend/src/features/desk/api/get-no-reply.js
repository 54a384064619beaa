import { useQuery } from "@tanstack/react-query";
import { api, qs } from "../../../lib/api.js";

/** Tomorrow's (in the clinic's zone) booked appointments whose patient has not confirmed yet. */
export const getNoReply = (clinicId) => api(`/appointments/no-reply${qs({ clinic_id: clinicId })}`);

export const useNoReply = (clinicId) => useQuery({
  queryKey: ["appointments", "no-reply", clinicId],
  queryFn: () => getNoReply(clinicId),
  refetchInterval: 60_000,
});
