import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** A walk-in patient (no password; with an email they get a link to choose one). Empty fields are left out. */
export const registerWalkIn = (fields) => api("/patients", {
  method: "POST",
  body: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== "" && value != null)),
});

export function useRegisterWalkIn() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: registerWalkIn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["patients"] }) });
}
