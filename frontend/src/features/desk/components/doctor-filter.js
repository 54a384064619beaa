/**
 * Which doctors the desk shows, remembered per browser and per clinic (localStorage). What is stored is the
 * list of doctors the receptionist HID, so a doctor who joins later shows up by default; at least one
 * doctor always stays visible.
 */
const key = (clinicId) => `clinic.desk.hidden.${clinicId}`;

export function loadHidden(storage, clinicId) {
  try {
    const raw = JSON.parse(storage?.getItem(key(clinicId)) || "[]");
    return Array.isArray(raw) ? raw.filter((id) => Number.isInteger(id)) : [];
  } catch {
    return []; // an unreadable value is forgotten, never an error on screen
  }
}

export function saveHidden(storage, clinicId, hidden) {
  try {
    storage?.setItem(key(clinicId), JSON.stringify([...hidden]));
  } catch {
    // private mode or a full storage: the choice lasts for this page only
  }
}

/** The doctors to show: every doctor not hidden; all of them when the stored choice would hide everyone. */
export function visibleDoctors(doctors, hidden) {
  const shown = doctors.filter((d) => !hidden.includes(d.id));
  return shown.length ? shown : doctors;
}

/** The hidden list after toggling one doctor; never hides the last visible one. */
export function toggleHidden(doctors, hidden, doctorId) {
  if (hidden.includes(doctorId)) return hidden.filter((id) => id !== doctorId);
  const next = [...hidden.filter((id) => doctors.some((d) => d.id === id)), doctorId];
  return doctors.every((d) => next.includes(d.id)) ? hidden : next;
}

/** Show only this doctor (the "only" shortcut). */
export function onlyDoctor(doctors, doctorId) {
  return doctors.filter((d) => d.id !== doctorId).map((d) => d.id);
}
