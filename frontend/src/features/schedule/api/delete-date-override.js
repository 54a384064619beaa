import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const deleteDateOverride = ({ doctorId, date }) =>
  api(`/doctors/${doctorId}/date-overrides/${date}`, { method: "DELETE" });

export function useDeleteDateOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteDateOverride,
    onSuccess: (_r, { doctorId }) => {
      queryClient.invalidateQueries({ queryKey: ["date-overrides", doctorId] });
      queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
}
