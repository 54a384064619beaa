import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { messages } from "./messages.js";

const PREF_KEY = "clinic.locale"; // a language preference, never a credential
const I18nContext = createContext(null);

function lookup(locale, key) {
  return key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), messages[locale]);
}

export function translate(locale, key, vars) {
  let text = lookup(locale, key);
  if (text === undefined) text = lookup("es", key);
  if (typeof text !== "string") return text ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? "")) : text;
}

const known = (value) => (value === "en" || value === "es" ? value : null);

export function storedLocale() {
  try {
    return known(window.localStorage.getItem(PREF_KEY)) || "es";
  } catch {
    return "es";
  }
}

/** The language a link asks for (`?lang=en`: the links in our emails carry the email's language). */
export function linkedLocale() {
  try {
    return known(new URLSearchParams(window.location.search).get("lang"));
  } catch {
    return null;
  }
}

function remember(next) {
  try {
    window.localStorage.setItem(PREF_KEY, next);
  } catch {
    /* private mode: the preference just isn't remembered */
  }
}

/**
 * `setLocale` is a choice (the language switch, a link's `?lang=`): it is remembered in this browser and
 * `chosen` says one was made since the page loaded, so signing in keeps it (and saves it to the account)
 * rather than switching to the account's older choice. `adoptLocale` follows the account's saved language.
 */
export function I18nProvider({ initialLocale, children }) {
  const [state, setState] = useState(() => {
    const linked = linkedLocale();
    if (linked) remember(linked);
    return { locale: initialLocale || linked || storedLocale(), chosen: Boolean(linked) };
  });
  const setLocale = useCallback((next) => {
    setState({ locale: next, chosen: true });
    remember(next);
  }, []);
  const adoptLocale = useCallback((next) => {
    setState({ locale: next, chosen: false });
    remember(next);
  }, []);
  const { locale, chosen } = state;
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => ({
    locale,
    chosen,
    setLocale,
    adoptLocale,
    t: (key, vars) => translate(locale, key, vars),
  }), [locale, chosen, setLocale, adoptLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n() {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

const has = (t, key) => {
  const text = t(key);
  return typeof text === "string" && text !== key ? text : null;
};

/** The user-facing text of an API error: our own translation of its code, never the server's English
 * (a code we do not know reads as the generic text of its kind). */
export function errorText(t, error) {
  if (!error) return "";
  const code = error.code;
  if (code && has(t, `errors.${code}`)) return t(`errors.${code}`);
  if (error.status === 422 || Object.keys(error.fields || {}).length > 0) return t("errors.validation_error");
  return t("errors.http_error");
}

/** The text of one field's error: the API sends a stable code per field (`fields.email: "invalid_email"`),
 * read here in this language; password fields have their own wording. Never server text, never a raw key. */
export function fieldErrorText(t, error, name) {
  const code = error?.fields?.[name];
  if (code === undefined || code === null || code === "") return null;
  if (error.local) return code; // checked in the browser (lib/forms.js): already the app's own text
  if (/password/.test(name) && has(t, `fieldErrors.password.${code}`)) return t(`fieldErrors.password.${code}`);
  return has(t, `fieldErrors.${code}`) || t("fieldErrors.invalid");
}

