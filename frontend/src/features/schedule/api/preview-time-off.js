import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api.js";

/** What time off would cancel, changing nothing: {affected_appointments: [appointment]}. */
export const previewTimeOff = ({ doctorId, starts_at, ends_at }) =>
  api(`/doctors/${doctorId}/time-off/preview`, { method: "POST", body: { starts_at, ends_at } });

export const usePreviewTimeOff = () => useMutation({ mutationFn: previewTimeOff });
