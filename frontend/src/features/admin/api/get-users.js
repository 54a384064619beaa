import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, asList, qs } from "../../../lib/api.js";

export const getUsers = async ({ q, role }) => asList(await api(`/users${qs({ q, role, limit: 50 })}`));

export const useUsers = (filters) => useQuery({ queryKey: ["users", filters], queryFn: () => getUsers(filters), placeholderData: keepPreviousData });
