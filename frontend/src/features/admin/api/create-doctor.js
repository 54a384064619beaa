import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const createDoctor = (body) => api("/doctors", { method: "POST", body });

export function useCreateDoctor() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDoctor, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["doctors"] }) });
}
