import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** {doctor_id?, service_id, clinic_id?, from, to} with clinic dates. */
export const joinWaitlist = (body) => api("/waitlist", { method: "POST", body });

export function useJoinWaitlist() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: joinWaitlist, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["waitlist"] }) });
}
