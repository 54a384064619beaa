import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getWorkingHours = (doctorId) => api(`/doctors/${doctorId}/working-hours`);

export const useWorkingHours = (doctorId) =>
  useQuery({ queryKey: ["working-hours", doctorId], queryFn: () => getWorkingHours(doctorId), enabled: Boolean(doctorId) });
