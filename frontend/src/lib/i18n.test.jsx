import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider, useI18n } from "./i18n.jsx";

function Probe() {
  const { locale, chosen, setLocale, adoptLocale } = useI18n();
  return (
    <>
      <p>{`${locale} ${chosen ? "chosen" : "default"}`}</p>
      <button type="button" onClick={() => setLocale("en")}>choose</button>
      <button type="button" onClick={() => adoptLocale("es")}>adopt</button>
    </>
  );
}

describe("the language", () => {
  afterEach(() => {
    window.localStorage.clear();
    window.history.replaceState(null, "", "/");
  });

  it("is Spanish by default, or this browser's remembered choice", () => {
    render(<I18nProvider><Probe /></I18nProvider>);
    expect(screen.getByText("es default")).toBeTruthy();
  });

  it("follows an email link's ?lang= and remembers it as a choice", () => {
    window.history.replaceState(null, "", "/a/token?lang=en");
    render(<I18nProvider><Probe /></I18nProvider>);
    expect(screen.getByText("en chosen")).toBeTruthy();
    expect(window.localStorage.getItem("clinic.locale")).toBe("en");
    expect(document.documentElement.lang).toBe("en");
  });

  it("ignores a language it does not have", () => {
    window.history.replaceState(null, "", "/?lang=fr");
    render(<I18nProvider><Probe /></I18nProvider>);
    expect(screen.getByText("es default")).toBeTruthy();
  });

  it("tells a choice from following the account", () => {
    render(<I18nProvider><Probe /></I18nProvider>);
    act(() => screen.getByText("choose").click());
    expect(screen.getByText("en chosen")).toBeTruthy();
    act(() => screen.getByText("adopt").click());
    expect(screen.getByText("es default")).toBeTruthy();
    expect(window.localStorage.getItem("clinic.locale")).toBe("es");
  });
});
