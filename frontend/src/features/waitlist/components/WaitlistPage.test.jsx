import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import WaitlistPage from "./WaitlistPage.jsx";

const ENTRY = { id: 7, patient_id: 2, service_id: 5, doctor_id: null, clinic_id: null, from: "2027-03-25", to: "2027-03-30", created_at: "2027-03-24T10:00:00+00:00" };

function routes(status, declineAnswer = [200, { ...ENTRY, status: "waiting" }]) {
  return {
    "GET /api/waitlist": [200, [{ ...ENTRY, status }]],
    "GET /api/services": [200, [{ id: 5, name: "Consulta general", duration_minutes: 30, buffer_minutes: 0 }]],
    "GET /api/doctors": [200, []],
    "POST /api/waitlist/7/decline": declineAnswer,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("WaitlistPage", () => {
  it("lets the patient turn down a held time and stay on the list", async () => {
    const fetch = fakeFetch(routes("offered"));
    vi.stubGlobal("fetch", fetch);
    renderWith(<WaitlistPage />);
    expect(await screen.findByText("Te estamos guardando un hueco: mira tu correo para reservarlo.")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "No me interesa este hueco" }));
    await waitFor(() => expect(fetch.calls.some((c) => c.url.endsWith("/api/waitlist/7/decline") && c.init.method === "POST")).toBe(true));
    expect(await screen.findByText("Hueco liberado. Sigues en la lista de espera.")).toBeInTheDocument();
  });

  it("offers no decline while nothing is held, and translates a refusal", async () => {
    vi.stubGlobal("fetch", fakeFetch(routes("waiting")));
    const { unmount } = renderWith(<WaitlistPage />, { locale: "en" });
    expect(await screen.findByRole("button", { name: "Remove" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "I don't want this time" })).toBeNull();
    unmount();
    vi.stubGlobal("fetch", fakeFetch(routes("offered", [409, { error: { code: "nothing_to_decline", message: "x", fields: {} } }])));
    renderWith(<WaitlistPage />, { locale: "en" });
    fireEvent.click(await screen.findByRole("button", { name: "I don't want this time" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No time is being held for this entry any more.");
  });
});
