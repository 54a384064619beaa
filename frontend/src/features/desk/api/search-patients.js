import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, asList, qs } from "../../../lib/api.js";

export const searchPatients = async (q) => asList(await api(`/users${qs({ q, role: "patient", limit: 20 })}`));

export const useSearchPatients = (q) => useQuery({
  queryKey: ["patients", q],
  queryFn: () => searchPatients(q),
  enabled: q.trim().length >= 2,
  placeholderData: keepPreviousData,
});
