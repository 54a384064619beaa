import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const register = async (body) => (await api("/auth/register", { method: "POST", body })).user;

export const useRegister = () => useMutation({ mutationFn: register });
