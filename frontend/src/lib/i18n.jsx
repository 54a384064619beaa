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

export function storedLocale() {
  try {
    const value = window.localStorage.getItem(PREF_KEY);
    return value === "en" || value === "es" ? value : "es";
  } catch {
    return "es";
  }
}

export function I18nProvider({ initialLocale, children }) {
  const [locale, setLocaleState] = useState(initialLocale || storedLocale);
  const setLocale = useCallback((next) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(PREF_KEY, next);
    } catch {
      /* private mode: the preference just isn't remembered */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => ({
    locale,
    setLocale,
    t: (key, vars) => translate(locale, key, vars),
  }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n() {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

/** The user-facing text of an API error: a translation of its code when we have one. */
export function errorText(t, error) {
  if (!error) return "";
  const code = error.code;
  const translated = code ? t(`errors.${code}`) : undefined;
  if (translated && translated !== `errors.${code}`) return translated;
  return error.message || t("errors.http_error");
}

