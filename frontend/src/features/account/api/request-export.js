import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const requestExport = () => api("/me/export", { method: "POST" });

export const useRequestExport = () => useMutation({ mutationFn: requestExport });
