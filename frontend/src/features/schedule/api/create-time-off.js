import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const createTimeOff = ({ doctorId, ...body }) => api(`/doctors/${doctorId}/time-off`, { method: "POST", body });

export function useCreateTimeOff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTimeOff,
    onSuccess: (_r, { doctorId }) => {
      queryClient.invalidateQueries({ queryKey: ["time-off", doctorId] });
      queryClient.invalidateQueries({ queryKey: ["appointments"] });
    },
  });
}
