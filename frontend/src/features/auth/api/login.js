import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** Signs in; the server sets the session cookies. Only the user is kept from the body. */
export const login = async ({ email, password }) =>
  (await api("/auth/login", { method: "POST", body: { email, password } })).user;

export const useLogin = () => useMutation({ mutationFn: login });
