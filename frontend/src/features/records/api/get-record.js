import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getRecord = (patientId) => api(`/patients/${patientId}/record`);

export const useRecord = (patientId) =>
  useQuery({ queryKey: ["record", String(patientId)], queryFn: () => getRecord(patientId), enabled: Boolean(patientId) });
