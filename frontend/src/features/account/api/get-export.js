import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

const DONE = new Set(["ready", "done", "completed", "failed", "expired"]);

export const getExport = (id) => api(`/me/export/${id}`);

/** Polls the export every 3 s until it is finished. */
export const useExport = (id) => useQuery({
  queryKey: ["export", id],
  queryFn: () => getExport(id),
  enabled: Boolean(id),
  refetchInterval: (query) => (DONE.has(query.state.data?.status) ? false : 3000),
});
