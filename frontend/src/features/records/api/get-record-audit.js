import { useQuery } from "@tanstack/react-query";
import { api, asList } from "../../../lib/api.js";

export const getRecordAudit = async (patientId) => asList(await api(`/patients/${patientId}/record/audit`));

export const useRecordAudit = (patientId) =>
  useQuery({ queryKey: ["record-audit", String(patientId)], queryFn: () => getRecordAudit(patientId), enabled: Boolean(patientId) });
