import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** One date's own hours in clinic time, replacing its weekday's; `ranges: []` is a day off. */
export const putDateOverride = ({ doctorId, date, ranges }) =>
  api(`/doctors/${doctorId}/date-overrides`, { method: "PUT", body: { date, ranges } });

export function usePutDateOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: putDateOverride,
    onSuccess: (_r, { doctorId }) => {
      queryClient.invalidateQueries({ queryKey: ["date-overrides", doctorId] });
      queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
}
