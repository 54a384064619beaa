import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, asList, qs } from "../api.js";

/** Appointments visible to the caller (scoped by the server), filtered by clinic dates and more. */
export const getAppointments = async (filters = {}) => asList(await api(`/appointments${qs(filters)}`));

export function useAppointments(filters = {}, options = {}) {
  return useQuery({
    queryKey: ["appointments", filters],
    queryFn: () => getAppointments(filters),
    placeholderData: keepPreviousData,
    ...options,
  });
}
