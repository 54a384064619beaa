import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../lib/i18n.jsx";
import { SessionProvider } from "../lib/session.jsx";
import { Layout } from "./Layout.jsx";

afterEach(() => vi.unstubAllGlobals());

describe("language switch of a signed-in user", () => {
  it("saves every choice in order and never flips back when an older answer arrives late", async () => {
    document.cookie = "csrf_access_token=c; path=/";
    const bodies = [];
    const pending = [];
    vi.stubGlobal("fetch", vi.fn((url, init = {}) => {
      if (url === "/api/me" && (init.method || "GET") === "GET") {
        return Promise.resolve(new Response(JSON.stringify({ id: 1, full_name: "Ana", role: "patient", locale: "es" }), { status: 200 }));
      }
      const body = JSON.parse(init.body);
      bodies.push(body.locale);
      return new Promise((resolve) => pending.push(() => resolve(new Response(JSON.stringify({ id: 1, full_name: "Ana", role: "patient", locale: body.locale }), { status: 200 }))));
    }));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <I18nProvider initialLocale="es">
          <SessionProvider>
            <MemoryRouter><Layout><p>page</p></Layout></MemoryRouter>
          </SessionProvider>
        </I18nProvider>
      </QueryClientProvider>,
    );
    await screen.findByText(/Sesión de Ana/);
    fireEvent.click(screen.getByRole("button", { name: "English" }));
    fireEvent.click(screen.getByRole("button", { name: "Español" }));
    expect(document.documentElement.lang).toBe("es");
    await waitFor(() => expect(pending).toHaveLength(1)); // the second PATCH waits for the first
    await act(async () => pending.shift()());               // "en" answers after the user chose "es"
    await waitFor(() => expect(pending).toHaveLength(1));   // ...and has been applied: the next PATCH left
    await waitFor(() => expect(client.getQueryData(["me"]).locale).toBe("en"));
    await act(async () => {});                              // let React render and run its effects
    expect(document.documentElement.lang).toBe("es");
    await act(async () => pending.shift()());
    expect(bodies).toEqual(["en", "es"]);
    expect(screen.getByRole("button", { name: "Español" })).toHaveAttribute("aria-pressed", "true");
  });
});
