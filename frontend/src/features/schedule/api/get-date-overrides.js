import { useQuery } from "@tanstack/react-query";
import { api, asList } from "../../../lib/api.js";

/** [{date "YYYY-MM-DD", ranges: [{start, end}]}]; no ranges: a day off. */
export const getDateOverrides = async (doctorId) => asList(await api(`/doctors/${doctorId}/date-overrides`));

export const useDateOverrides = (doctorId) =>
  useQuery({ queryKey: ["date-overrides", doctorId], queryFn: () => getDateOverrides(doctorId), enabled: Boolean(doctorId) });
