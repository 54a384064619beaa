import { useQuery } from "@tanstack/react-query";
import { api, qs } from "../api.js";

export const getDoctors = (filters = {}) => api(`/doctors${qs(filters)}`);

export function useDoctors(filters = {}) {
  return useQuery({ queryKey: ["doctors", filters], queryFn: () => getDoctors(filters), staleTime: 60 * 1000 });
}
