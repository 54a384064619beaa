import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** {url, webcal_url?}: the secret subscription address of the user's appointments. */
export const getCalendarLink = () => api("/me/calendar");

export const useCalendarLink = (enabled = true) => useQuery({ queryKey: ["calendar-link"], queryFn: getCalendarLink, enabled });
