import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "../../../test/render.jsx";
import { I18nProvider } from "../../../lib/i18n.jsx";
import VerifyEmailPage from "./VerifyEmailPage.jsx";

afterEach(() => vi.unstubAllGlobals());

function open(url, locale = "es") {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <I18nProvider initialLocale={locale}>
        <MemoryRouter initialEntries={[url]}><VerifyEmailPage /></MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

describe("the emailed verification link", () => {
  it("posts its token once and says the address is confirmed", async () => {
    const fetch = fakeFetch({ "POST /api/auth/verify-email": [204, null] });
    vi.stubGlobal("fetch", fetch);
    open("/verify-email?token=abc_DEF-123");
    await screen.findByText(/Tu correo está confirmado/);
    expect(fetch.calls).toHaveLength(1);
    expect(JSON.parse(fetch.calls[0].init.body)).toEqual({ token: "abc_DEF-123" });
  });

  it("explains a used or expired link in the chosen language", async () => {
    vi.stubGlobal("fetch", fakeFetch({
      "POST /api/auth/verify-email": [400, { error: { code: "invalid_verification_token", message: "x", fields: {} } }],
    }));
    open("/verify-email?token=old", "en");
    await screen.findByText(/was already used or has expired/);
  });
});
