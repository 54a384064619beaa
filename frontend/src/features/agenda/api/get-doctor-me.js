import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** The signed-in doctor's profile: {id, user_id, full_name, specialty, clinic_id, service_ids}. */
export const getDoctorMe = () => api("/doctors/me");

export const useDoctorMe = () => useQuery({ queryKey: ["doctor-me"], queryFn: getDoctorMe, staleTime: 5 * 60 * 1000 });
