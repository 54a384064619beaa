import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const updateDoctor = ({ id, ...body }) => api(`/doctors/${id}`, { method: "PATCH", body });

export function useUpdateDoctor() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: updateDoctor, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["doctors"] }) });
}
