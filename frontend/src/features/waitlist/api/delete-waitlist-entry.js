import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const deleteWaitlistEntry = (id) => api(`/waitlist/${id}`, { method: "DELETE" });

export function useDeleteWaitlistEntry() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteWaitlistEntry, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["waitlist"] }) });
}
