import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** {allergies?, conditions?, medications?}: lists of strings; the server keeps the old version. */
export const updateRecord = ({ patientId, ...lists }) => api(`/patients/${patientId}/record`, { method: "PATCH", body: lists });

export function useUpdateRecord() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateRecord,
    onSuccess: (record, { patientId }) => queryClient.setQueryData(["record", String(patientId)], record),
  });
}
