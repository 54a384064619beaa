import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const updateService = ({ id, ...body }) => api(`/services/${id}`, { method: "PATCH", body });

export function useUpdateService() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: updateService, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["services"] }) });
}
