import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getTimeOff = (doctorId) => api(`/doctors/${doctorId}/time-off`);

export const useTimeOff = (doctorId) =>
  useQuery({ queryKey: ["time-off", doctorId], queryFn: () => getTimeOff(doctorId), enabled: Boolean(doctorId) });
