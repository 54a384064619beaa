import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, qs } from "../../../lib/api.js";
import { managePath } from "./get-manage-link.js";

/** Free slots the appointment could move to: {timezone, slots: [{starts_at, ends_at}]}; clinic dates. */
export const getManageSlots = ({ token, from, to }) => api(`${managePath(token)}/slots${qs({ from, to })}`, { auth: false });

export function useManageSlots(params, { enabled = true } = {}) {
  return useQuery({
    queryKey: ["manage-slots", params],
    queryFn: () => getManageSlots(params),
    enabled: enabled && Boolean(params.token && params.from && params.to),
    placeholderData: keepPreviousData,
    retry: false,
  });
}
