import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const updateClinic = ({ id, ...body }) => api(`/clinics/${id}`, { method: "PATCH", body });

export function useUpdateClinic() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: updateClinic, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["clinics"] }) });
}
