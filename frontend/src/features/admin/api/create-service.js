import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const createService = (body) => api("/services", { method: "POST", body });

export function useCreateService() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createService, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["services"] }) });
}
