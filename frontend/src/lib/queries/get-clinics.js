import { useQuery } from "@tanstack/react-query";
import { api } from "../api.js";

export const getClinics = () => api("/clinics");

export function useClinics() {
  return useQuery({ queryKey: ["clinics"], queryFn: getClinics, staleTime: 5 * 60 * 1000 });
}
