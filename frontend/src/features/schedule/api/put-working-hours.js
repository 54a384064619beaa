import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Replaces the week: [{weekday (0 = Monday), start "HH:MM", end "HH:MM"}] in clinic time. */
export const putWorkingHours = ({ doctorId, hours }) =>
  api(`/doctors/${doctorId}/working-hours`, { method: "PUT", body: hours });

export function usePutWorkingHours() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: putWorkingHours,
    onSuccess: (hours, { doctorId }) => queryClient.setQueryData(["working-hours", doctorId], hours),
  });
}
