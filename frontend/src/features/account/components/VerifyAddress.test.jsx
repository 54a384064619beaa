import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import AccountPage from "./AccountPage.jsx";

vi.mock("../../../lib/session.jsx", () => ({
  useSession: () => ({ user: globalThis.__user }),
}));

afterEach(() => vi.unstubAllGlobals());

describe("an unconfirmed address on the account page", () => {
  it("is explained and the link can be sent again", async () => {
    globalThis.__user = { id: 7, email: "ana@example.com", full_name: "Ana", role: "admin", email_verified: false };
    const fetch = fakeFetch({ "POST /api/me/verify-email": [202, null] });
    vi.stubGlobal("fetch", fetch);
    renderWith(<AccountPage />);
    expect(screen.getByText(/Aún no has confirmado ana@example.com/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Enviar el enlace otra vez" }));
    await screen.findByText("Te hemos enviado un enlace nuevo.");
    await waitFor(() => expect(fetch.calls.map((c) => c.url)).toContain("/api/me/verify-email"));
  });

  it("says nothing once it is confirmed", () => {
    globalThis.__user = { id: 7, email: "ana@example.com", full_name: "Ana", role: "admin", email_verified: true };
    renderWith(<AccountPage />);
    expect(screen.queryByText(/Aún no has confirmado/)).toBeNull();
  });
});
