/**
 * The time a visitor chose before having an account, kept in this tab while they sign up or sign in
 * (sessionStorage: no credential and no clinical data, only which doctor, service and time).
 */
const KEY = "clinic.pendingBooking";

export function savePending(choice) {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify({
      doctor_id: choice.doctor_id, service_id: choice.service_id, starts_at: choice.starts_at, ends_at: choice.ends_at,
    }));
  } catch {
    /* storage unavailable: the visitor picks the time again after signing in */
  }
}

export function loadPending() {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    return value && value.doctor_id && value.service_id && value.starts_at ? value : null;
  } catch {
    return null;
  }
}

export function clearPending() {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    /* nothing kept */
  }
}
