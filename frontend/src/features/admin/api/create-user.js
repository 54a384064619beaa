import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const createUser = (body) => api("/users", { method: "POST", body });

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createUser, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users"] }) });
}
