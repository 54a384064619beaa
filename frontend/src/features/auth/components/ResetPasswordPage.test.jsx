import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../../lib/i18n.jsx";
import { fakeFetch } from "../../../test/render.jsx";
import ResetPasswordPage from "./ResetPasswordPage.jsx";

afterEach(() => vi.unstubAllGlobals());

function renderAt(url, locale = "es") {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <I18nProvider initialLocale={locale}>
        <MemoryRouter initialEntries={[url]}><ResetPasswordPage /></MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

describe("ResetPasswordPage", () => {
  it("sends the link's token with the new password and then offers to sign in", async () => {
    const fetch = fakeFetch({ "POST /api/auth/password-reset/confirm": [204, null] });
    vi.stubGlobal("fetch", fetch);
    renderAt("/reset-password?token=abc_DEF-123");
    fireEvent.change(screen.getByLabelText("Contraseña nueva"), { target: { value: "Otra-Clave-Segura-42" } });
    fireEvent.click(screen.getByRole("button", { name: "Guardar contraseña" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Contraseña cambiada");
    expect(JSON.parse(fetch.calls[0].init.body)).toEqual({ token: "abc_DEF-123", password: "Otra-Clave-Segura-42" });
    expect(screen.getByRole("link", { name: "Iniciar sesión" })).toHaveAttribute("href", "/login");
  });

  it("explains a used or expired link and links to ask for a new one", async () => {
    vi.stubGlobal("fetch", fakeFetch({
      "POST /api/auth/password-reset/confirm": [400, { error: { code: "invalid_reset_token", message: "bad", fields: {} } }],
    }));
    renderAt("/reset-password?token=used", "en");
    fireEvent.change(screen.getByLabelText("New password"), { target: { value: "Otra-Clave-Segura-42" } });
    fireEvent.click(screen.getByRole("button", { name: "Save password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link no longer works");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("says so when the link has no token", () => {
    renderAt("/reset-password");
    expect(screen.getByText("Este enlace no está completo. Pide uno nuevo.")).toBeInTheDocument();
  });
});
