import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";
import { managePath } from "./get-manage-link.js";

export const moveAppointment = ({ token, starts_at }) =>
  api(managePath(token), { method: "PATCH", body: { starts_at }, auth: false });

export const cancelAppointment = ({ token, reason }) =>
  api(`${managePath(token)}/cancel`, { method: "POST", body: reason ? { reason } : {}, auth: false });

export const acceptOffer = ({ token }) => api(`${managePath(token)}/accept`, { method: "POST", auth: false });

/** A change through the link; the answer is the link's new state. */
function useLinkChange(mutationFn, token) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (answer) => {
      client.setQueryData(["manage", answer.manage_token || token], answer);
      client.invalidateQueries({ queryKey: ["manage-slots"] });
    },
  });
}

export const useMoveAppointment = (token) => useLinkChange(moveAppointment, token);
export const useCancelAppointment = (token) => useLinkChange(cancelAppointment, token);
export const useAcceptOffer = (token) => useLinkChange(acceptOffer, token);
