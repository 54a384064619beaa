import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, qs } from "../../../lib/api.js";

export const getUsers = async ({ q, role }) => (await api(`/users${qs({ q, role, limit: 50 })}`)).items;

export const useUsers = (filters) => useQuery({ queryKey: ["users", filters], queryFn: () => getUsers(filters), placeholderData: keepPreviousData });
