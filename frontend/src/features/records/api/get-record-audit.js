import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

export const getRecordAudit = (patientId) => api(`/patients/${patientId}/record/audit`);

export const useRecordAudit = (patientId) =>
  useQuery({ queryKey: ["record-audit", String(patientId)], queryFn: () => getRecordAudit(patientId), enabled: Boolean(patientId) });
