import { useQuery } from "@tanstack/react-query";
import { api } from "../api.js";

/** The signed-in doctor's profile (for the clinic's time zone); only ask it for doctors. */
export const getDoctorMe = () => api("/doctors/me");

export const useDoctorMe = (enabled = true) =>
  useQuery({ queryKey: ["doctor-me"], queryFn: getDoctorMe, enabled, staleTime: 5 * 60 * 1000 });
