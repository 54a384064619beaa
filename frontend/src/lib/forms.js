/** Form checks done in the app's language before anything is sent (forms use noValidate: no browser
 * bubbles, which speak the browser's language, not the user's). Returns an error shaped like the API's
 * ({code, fields}) so <Field error> and <ErrorMessage> show it the same way, or null; its fields hold the
 * app's own texts, not the API's codes (`local`). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function formProblems(t, form, { required = [], emails = [], check } = {}) {
  const fields = {};
  for (const name of required) {
    const value = form[name];
    if (value == null || String(value).trim() === "" || (Array.isArray(value) && value.length === 0)) fields[name] = t("app.required");
  }
  for (const name of emails) {
    if (!fields[name] && form[name] && !EMAIL.test(String(form[name]).trim())) fields[name] = t("app.badEmail");
  }
  if (check) Object.assign(fields, Object.fromEntries(Object.entries(check(form)).filter(([, v]) => v)));
  return Object.keys(fields).length ? { code: "validation_error", fields, local: true } : null;
}

/** A UTC offset of a zone now, as "UTC+01:00". */
export function utcOffset(zone, at = new Date()) {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(at);
    const name = parts.find((p) => p.type === "timeZoneName")?.value || "GMT";
    return name === "GMT" ? "UTC+00:00" : name.replace("GMT", "UTC");
  } catch {
    return "";
  }
}
