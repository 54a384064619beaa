import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const createClinic = (body) => api("/clinics", { method: "POST", body });

export function useCreateClinic() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createClinic, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["clinics"] }) });
}
