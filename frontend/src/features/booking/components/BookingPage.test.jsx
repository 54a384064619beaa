import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import BookingPage from "./BookingPage.jsx";
// The page loads the calendar lazily; importing it here transforms it once, outside every test's time limit.
import "../../../components/calendar/SlotPicker.jsx";

const CLINICS = [{ id: 1, name: "Clínica Centro", timezone: "Europe/Madrid", address: null }];
const SERVICES = [{ id: 5, name: "Consulta general", duration_minutes: 30, buffer_minutes: 0 }];
const DOCTORS = [{ id: 3, user_id: 9, full_name: "Dra. Ana Ruiz", specialty: "Cardiología", clinic_id: 1, service_ids: [5] }];
const SLOTS = {
  timezone: "Europe/Madrid",
  slots: [
    { starts_at: "2027-03-26T09:00:00+01:00", ends_at: "2027-03-26T09:30:00+01:00" },
    { starts_at: "2027-03-29T10:00:00+02:00", ends_at: "2027-03-29T10:30:00+02:00" },
  ],
};

function routes(bookingAnswer) {
  return {
    "GET /api/clinics": [200, CLINICS],
    "GET /api/services": [200, SERVICES],
    "GET /api/doctors": [200, DOCTORS],
    "GET /api/doctors/3/slots": [200, SLOTS],
    "POST /api/appointments": bookingAnswer,
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2027-03-24T10:00:00Z"));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

async function pickFridaySlot() {
  fireEvent.click(await screen.findByRole("button", { name: "Ver huecos: Dra. Ana Ruiz" }));
  // The calendar is its own chunk, loaded once the doctors are shown: allow for its first import.
  fireEvent.click(await screen.findByRole("button", { name: /Reservar el viernes, 26 de marzo de 2027, 09:00/ }, { timeout: 15000 }));
  return screen.getByRole("dialog", { name: "Confirmar la cita" });
}

describe("booking flow", () => {
  it("finds a doctor, asks the slots of the clinic's week, books and confirms", async () => {
    const fetch = fakeFetch(routes([201, {
      id: 77, doctor_id: 3, patient_id: 9, service_id: 5, status: "booked", reason: null, timezone: "Europe/Madrid",
      starts_at: "2027-03-26T09:00:00+01:00", ends_at: "2027-03-26T09:30:00+01:00",
    }]));
    vi.stubGlobal("fetch", fetch);
    renderWith(<BookingPage />);
    const dialog = await pickFridaySlot();
    const slotCall = fetch.calls.find((c) => c.url.startsWith("/api/doctors/3/slots"));
    expect(slotCall.url).toBe("/api/doctors/3/slots?service_id=5&from=2027-03-22&to=2027-03-28");
    fireEvent.click(within(dialog).getByRole("button", { name: "Confirmar cita" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("¡Cita confirmada! Consulta general con Dra. Ana Ruiz, el viernes, 26 de marzo de 2027, 09:00.");
    const post = fetch.calls.find((c) => c.init.method === "POST");
    expect(JSON.parse(post.init.body)).toEqual({ doctor_id: 3, service_id: 5, starts_at: "2027-03-26T09:00:00+01:00" });
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("keeps the dialog open with a clear message when the slot was just taken", async () => {
    vi.stubGlobal("fetch", fakeFetch(routes([409, { error: { code: "slot_taken", message: "taken", fields: {} } }])));
    renderWith(<BookingPage />);
    const dialog = await pickFridaySlot();
    fireEvent.click(within(dialog).getByRole("button", { name: "Confirmar cita" }));
    await waitFor(() => expect(within(dialog).getByRole("alert")).toHaveTextContent("Ese hueco acaba de ocuparse. Elige otro."));
  });

  it("moves to the next week (after the DST change) and shows its slots at clinic time", async () => {
    const fetch = fakeFetch(routes([201, {}]));
    vi.stubGlobal("fetch", fetch);
    renderWith(<BookingPage />, { locale: "en" });
    fireEvent.click(await screen.findByRole("button", { name: "See times: Dra. Ana Ruiz" }));
    await screen.findByRole("button", { name: /Book Friday, March 26, 2027, 09:00/ }, { timeout: 15000 });
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(fetch.calls.some((c) => c.url.includes("from=2027-03-29&to=2027-04-04"))).toBe(true));
    const monday = await screen.findByRole("button", { name: /Book Monday, March 29, 2027, 10:00/ });
    expect(monday.querySelector(".rbc-event-label")).toHaveTextContent("10:00 – 10:30");
  });
});
