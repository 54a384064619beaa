import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, qs } from "../api.js";

/** Free slots: {timezone, slots: [{starts_at, ends_at}]}; from/to are clinic dates (YYYY-MM-DD).
 *  Staff pass `patientId` to see what that patient could book (their waitlist hold included). */
export const getSlots = ({ doctorId, serviceId, from, to, patientId }) =>
  api(`/doctors/${doctorId}/slots${qs({ service_id: serviceId, from, to, patient_id: patientId })}`);

const SLOTS_STALE_MS = 15 * 1000;

/** Asks a doctor's slots ahead of need (the picker then shows them at once); the same query as `useSlots`. */
export const prefetchSlots = (queryClient, params) => queryClient.prefetchQuery({
  queryKey: ["slots", params], queryFn: () => getSlots(params), staleTime: SLOTS_STALE_MS,
});

export function useSlots(params) {
  const ready = Boolean(params.doctorId && params.serviceId && params.from && params.to);
  return useQuery({
    queryKey: ["slots", params],
    queryFn: () => getSlots(params),
    enabled: ready,
    placeholderData: keepPreviousData,
    staleTime: SLOTS_STALE_MS,
  });
}
