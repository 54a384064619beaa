import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import { BookForPatient } from "./BookForPatient.jsx";

const MADRID = "Europe/Madrid";
configure({ asyncUtilTimeout: 5000 });
const doctors = [{ id: 3, full_name: "Dra. Ana Ruiz", specialty: "Dermatología", service_ids: [5] }];
const services = [{ id: 5, name: "Revisión", duration_minutes: 20 }];
const patient = { id: 9, full_name: "Marta Soto", email: "marta@example.com" };
const slots = ["09:00", "09:20"].map((hhmm) => ({ starts_at: `2027-01-12T${hhmm}:00+01:00`, ends_at: `2027-01-12T${hhmm}:00+01:00` }));

beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("booking for a patient at the desk", { timeout: 30000 }, () => {
  it("picks a time like patients do (day columns, next available) among the times that patient could book", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    const fetch = fakeFetch({
      "GET /api/users": [200, { items: [patient] }],
      "GET /api/doctors/3/slots": [200, { timezone: MADRID, slots }],
      "POST /api/appointments": [201, { id: 77, starts_at: slots[1].starts_at, status: "booked" }],
    });
    vi.stubGlobal("fetch", fetch);
    const done = vi.fn();
    renderWith(<BookForPatient doctors={doctors} services={services} zone={MADRID} onDone={done} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText("Buscar paciente (nombre o correo)"), { target: { value: "Marta" } });
    fireEvent.click(await screen.findByRole("button", { name: /Marta Soto/ }));
    const picker = await screen.findByRole("region", { name: "Elige un hueco libre" });
    expect(await within(picker).findByRole("button", { name: /^Primera hora libre: mar 12 de ene 09:00/ })).toBeTruthy();
    fireEvent.click(await within(picker).findByRole("button", { name: /09:20/ }));
    fireEvent.click(screen.getByRole("button", { name: "Confirmar cita" }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    const asked = fetch.calls.filter((c) => c.url.includes("/slots")).map((c) => c.url);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((url) => url.includes("patient_id=9"))).toBe(true);
    const posted = fetch.calls.find((c) => c.init.method === "POST");
    expect(JSON.parse(posted.init.body)).toMatchObject({ doctor_id: 3, service_id: 5, patient_id: 9, starts_at: slots[1].starts_at });
  });
});
