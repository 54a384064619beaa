import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** [{date "YYYY-MM-DD", ranges: [{start, end}]}]; no ranges: a day off. */
export const getDateOverrides = (doctorId) => api(`/doctors/${doctorId}/date-overrides`);

export const useDateOverrides = (doctorId) =>
  useQuery({ queryKey: ["date-overrides", doctorId], queryFn: () => getDateOverrides(doctorId), enabled: Boolean(doctorId) });
