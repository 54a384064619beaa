import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { qs } from "../api.js";
import { getAllPages } from "../pages.js";

/** Rows asked per request: a busy clinic's week in one or two answers (the API allows up to 1000). */
export const APPOINTMENTS_PAGE = 500;

/**
 * Every appointment visible to the caller (scoped by the server) that matches the filters (clinic dates,
 * clinic_id, doctor_id, ...): all pages, never the first one only.
 */
export const getAppointments = (filters = {}) => getAllPages(`/appointments${qs({ limit: APPOINTMENTS_PAGE, ...filters })}`);

export function useAppointments(filters = {}, options = {}) {
  return useQuery({
    queryKey: ["appointments", filters],
    queryFn: () => getAppointments(filters),
    placeholderData: keepPreviousData,
    ...options,
  });
}
