import { useQuery } from "@tanstack/react-query";
import { api } from "../api.js";

export const getServices = () => api("/services");

export function useServices() {
  return useQuery({ queryKey: ["services"], queryFn: getServices, staleTime: 5 * 60 * 1000 });
}
