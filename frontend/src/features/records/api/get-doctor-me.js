import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** The signed-in doctor's profile (for the clinic's time zone); only asked when the user is a doctor. */
export const getDoctorMe = () => api("/doctors/me");

export const useDoctorMe = (enabled) =>
  useQuery({ queryKey: ["doctor-me"], queryFn: getDoctorMe, enabled, staleTime: 5 * 60 * 1000 });
