import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import { RegisterPage } from "./RegisterPage.jsx";

vi.mock("../../../lib/session.jsx", () => ({ useSession: () => ({ signedIn: () => {} }) }));

afterEach(() => vi.unstubAllGlobals());

describe("a refused password on sign-up", () => {
  it("is explained under the field, by its code, in the chosen language", async () => {
    const fetch = fakeFetch({
      "POST /api/auth/register": [422, { error: { code: "weak_password", message: "x", fields: { password: "too_personal" } } }],
    });
    vi.stubGlobal("fetch", fetch);
    renderWith(<RegisterPage />, { locale: "en" });
    fireEvent.change(screen.getByLabelText("Full name"), { target: { value: "Ana Ruiz" } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ana@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "AnaRuiz1" } });
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    await screen.findByText("Contains your email, your name or the clinic's: choose another.");
    expect(screen.getByText("The password is too weak.")).toBeTruthy();
    expect(JSON.parse(fetch.calls[0].init.body).locale).toBe("en");
  });
});
