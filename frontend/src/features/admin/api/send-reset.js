import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Email the account a password-reset link (the public endpoint: 202 whatever the address). */
export const sendReset = ({ email }) => api("/auth/password-reset", { method: "POST", body: { email }, auth: false });

export const useSendReset = () => useMutation({ mutationFn: sendReset });
