import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Changes the password; the account's other sessions end, this one continues. */
export const changePassword = (body) => api("/me/password", { method: "POST", body });

/** Ends every session of the account, this one included. */
export const logoutEverywhere = () => api("/auth/logout-all", { method: "POST" });

export const useChangePassword = () => useMutation({ mutationFn: changePassword });
export const useLogoutEverywhere = () => useMutation({ mutationFn: logoutEverywhere });
