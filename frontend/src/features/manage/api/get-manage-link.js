import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

const path = (token) => `/manage/${encodeURIComponent(token)}`;

/** What a manage link opens (no sign-in): the appointment, or a waitlist offer's held slot. */
export const getManageLink = (token) => api(path(token), { auth: false });

export function useManageLink(token) {
  return useQuery({
    queryKey: ["manage", token],
    queryFn: () => getManageLink(token),
    enabled: Boolean(token),
    retry: false, // a dead link stays dead; retrying would only spend the link's rate limit
  });
}

export { path as managePath };
