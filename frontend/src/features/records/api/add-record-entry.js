import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const addRecordEntry = ({ patientId, text, appointmentId }) => api(`/patients/${patientId}/record/entries`, {
  method: "POST",
  body: appointmentId ? { text, appointment_id: Number(appointmentId) || appointmentId } : { text },
});

export function useAddRecordEntry() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addRecordEntry,
    onSuccess: (_entry, { patientId }) => queryClient.invalidateQueries({ queryKey: ["record", String(patientId)] }),
  });
}
