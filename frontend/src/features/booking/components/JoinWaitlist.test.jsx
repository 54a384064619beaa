import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import { JoinWaitlist } from "./JoinWaitlist.jsx";

const entry = { id: 7, patient_id: 1, service_id: 2, doctor_id: 3, clinic_id: null, from: "2027-01-04", to: "2027-01-18",
  status: "waiting", created_at: "2027-01-01T10:00:00+00:00" };

function joinWith(status, alreadyWaiting) {
  vi.stubGlobal("fetch", fakeFetch({ "POST /api/waitlist": [status, { ...entry, already_waiting: alreadyWaiting }] }));
  renderWith(<JoinWaitlist doctorId={3} serviceId={2} zone="Europe/Madrid" />);
  fireEvent.click(screen.getByText("Unirme a la lista de espera", { selector: "summary" }));
  fireEvent.click(screen.getByRole("button", { name: "Unirme a la lista de espera" }));
}

describe("JoinWaitlist", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("says the patient is on the waitlist", async () => {
    joinWith(201, false);
    expect(await screen.findByText("Te hemos apuntado a la lista de espera.")).toBeTruthy();
  });

  it("says the patient was already on it when the server answers the existing entry", async () => {
    joinWith(200, true);
    expect(await screen.findByText(/Ya estabas en la lista de espera/)).toBeTruthy();
  });
});
