import { useQuery } from "@tanstack/react-query";
import { api, asList } from "../../../lib/api.js";

export const getWaitlist = async () => asList(await api("/waitlist"));

export const useWaitlist = () => useQuery({ queryKey: ["waitlist"], queryFn: getWaitlist });
