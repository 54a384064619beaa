import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getWaitlist = () => api("/waitlist");

export const useWaitlist = () => useQuery({ queryKey: ["waitlist"], queryFn: getWaitlist });
