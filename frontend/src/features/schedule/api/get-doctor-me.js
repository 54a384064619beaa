import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getDoctorMe = () => api("/doctors/me");

export const useDoctorMe = () => useQuery({ queryKey: ["doctor-me"], queryFn: getDoctorMe, staleTime: 5 * 60 * 1000 });
