import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const deleteTimeOff = ({ doctorId, id }) => api(`/doctors/${doctorId}/time-off/${id}`, { method: "DELETE" });

export function useDeleteTimeOff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTimeOff,
    onSuccess: (_r, { doctorId }) => queryClient.invalidateQueries({ queryKey: ["time-off", doctorId] }),
  });
}
