import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, qs } from "../../../lib/api.js";

export const searchPatients = async (q) => (await api(`/users${qs({ q, role: "patient", limit: 20 })}`)).items;

export const useSearchPatients = (q) => useQuery({
  queryKey: ["patients", q],
  queryFn: () => searchPatients(q),
  enabled: q.trim().length >= 2,
  placeholderData: keepPreviousData,
});
