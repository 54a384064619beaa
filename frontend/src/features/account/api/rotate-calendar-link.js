import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const rotateCalendarLink = () => api("/me/calendar/rotate", { method: "POST" });

export function useRotateCalendarLink() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: rotateCalendarLink, onSuccess: (link) => queryClient.setQueryData(["calendar-link"], link) });
}
