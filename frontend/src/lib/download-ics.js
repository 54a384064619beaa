import { api } from "./api.js";

/** Fetches the appointment's .ics (with the session cookie) and hands it to the browser as a file (booking, my appointments). */
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
