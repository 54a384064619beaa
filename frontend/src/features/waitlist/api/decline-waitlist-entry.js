import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Turn down the slot held for an entry; the entry stays on the waitlist. */
export const declineWaitlistEntry = (id) => api(`/waitlist/${id}/decline`, { method: "POST" });

export function useDeclineWaitlistEntry() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: declineWaitlistEntry, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["waitlist"] }) });
}
