/** Appointment writes shared by several screens; each invalidates what it changes. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api.js";

export const createAppointment = (body) => api("/appointments", { method: "POST", body });
export const rescheduleAppointment = ({ id, starts_at }) =>
  api(`/appointments/${id}`, { method: "PATCH", body: { starts_at } });
export const cancelAppointment = ({ id, reason }) =>
  api(`/appointments/${id}/cancel`, { method: "POST", body: reason ? { reason } : {} });
export const markAttendance = ({ id, status }) =>
  api(`/appointments/${id}/attendance`, { method: "POST", body: { status } });

function useAppointmentMutation(fn) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      queryClient.invalidateQueries({ queryKey: ["appointments"] });
      queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
}

export const useCreateAppointment = () => useAppointmentMutation(createAppointment);
export const useRescheduleAppointment = () => useAppointmentMutation(rescheduleAppointment);
export const useCancelAppointment = () => useAppointmentMutation(cancelAppointment);
export const useMarkAttendance = () => useAppointmentMutation(markAttendance);
