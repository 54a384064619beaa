import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** `{full_name?, role?, active?}`; `active: false` signs the account out everywhere. */
export const updateUser = ({ id, ...body }) => api(`/users/${id}`, { method: "PATCH", body });

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: updateUser, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users"] }) });
}
