import { api } from "../../../lib/api.js";

/** Fetches the appointment's .ics (signed in) and hands it to the browser as a file (Apple Calendar, others). */
export async function downloadIcs(id) {
  const blob = await api(`/appointments/${id}/ics`, { as: "blob" });
  const url = URL.createObjectURL(new Blob([blob], { type: "text/calendar" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `cita-${id}.ics`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
