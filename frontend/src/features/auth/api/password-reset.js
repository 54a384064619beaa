import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export const requestReset = ({ email }) => api("/auth/password-reset", { method: "POST", body: { email }, auth: false });

/** Sets a new password with the token of a reset link (every session of the account ends). */
export const confirmReset = ({ token, password }) =>
  api("/auth/password-reset/confirm", { method: "POST", body: { token, password }, auth: false });

export const useRequestReset = () => useMutation({ mutationFn: requestReset });
export const useConfirmReset = () => useMutation({ mutationFn: confirmReset });
