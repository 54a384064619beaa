import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionProvider } from "../../../lib/session.jsx";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import BookingPage from "./BookingPage.jsx";

configure({ asyncUtilTimeout: 5000 });

const CLINICS = [{ id: 1, name: "Clínica Centro", timezone: "Europe/Madrid", address: "Calle Mayor 1, Madrid", phone: "+34 910 000 000", change_cutoff_hours: 24 }];
const SERVICES = [{ id: 5, name: "Consulta general", duration_minutes: 20, buffer_minutes: 0 }];
const DOCTORS = [{
  id: 3, user_id: 9, full_name: "Dra. Ana Ruiz", specialty: "Cardiología", clinic_id: 1, service_ids: [5],
  clinic_timezone: "Europe/Madrid", next_available: { service_id: 5, starts_at: "2027-03-26T10:40:00+01:00" },
}];
const BOOKED = {
  id: 77, doctor_id: 3, patient_id: 9, service_id: 5, clinic_id: 1, status: "booked", reason: null, timezone: "Europe/Madrid",
  starts_at: "2027-03-26T10:40:00+01:00", ends_at: "2027-03-26T11:00:00+01:00", doctor_name: "Dra. Ana Ruiz", service_name: "Consulta general",
};

function routes(extra = {}) {
  return {
    "GET /api/clinics": [200, CLINICS],
    "GET /api/services": [200, SERVICES],
    "GET /api/doctors": [200, DOCTORS],
    "GET /api/doctors/3/slots": [200, { timezone: "Europe/Madrid", slots: [] }],
    "GET /api/me": [200, { id: 9, full_name: "Pepa", role: "patient", locale: "es", email: "p@example.com" }],
    "POST /api/appointments": [201, BOOKED],
    ...extra,
  };
}

function page() {
  return renderWith(
    <SessionProvider>
      <Routes>
        <Route path="/" element={<BookingPage />} />
        <Route path="/register" element={<p>registro</p>} />
        <Route path="/login" element={<p>entrar</p>} />
      </Routes>
    </SessionProvider>,
  );
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2027-03-24T10:00:00Z"));
  window.sessionStorage.clear();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
});

describe("booking flow", { timeout: 30000 }, () => {
  it("lets a visitor pick the next free time and asks for the account at confirmation, keeping the time", async () => {
    const fetch = fakeFetch(routes());
    vi.stubGlobal("fetch", fetch);
    page();
    fireEvent.click(await screen.findByRole("button", { name: "Primera hora libre: vie 26 de mar 10:40 · Dra. Ana Ruiz · Consulta general" }));
    const confirm = screen.getByRole("region", { name: "Confirmar la cita" });
    expect(confirm).toHaveTextContent("viernes, 26 de marzo de 2027, 10:40–11:00");
    expect(confirm).toHaveTextContent("Calle Mayor 1, Madrid");
    expect(confirm).toHaveTextContent("hasta el jueves, 25 de marzo de 2027, 10:40");
    fireEvent.click(within(confirm).getByRole("button", { name: "Crear cuenta y continuar" }));
    expect(await screen.findByText("registro")).toBeInTheDocument();
    expect(JSON.parse(window.sessionStorage.getItem("clinic.pendingBooking"))).toEqual({
      doctor_id: 3, service_id: 5, starts_at: "2027-03-26T10:40:00+01:00", ends_at: "2027-03-26T10:00:00.000Z",
    });
    expect(fetch.calls.filter((c) => c.url.split("?")[0] === "/api/doctors")).toHaveLength(1);
  });

  it("after signing in, the kept time is confirmed and the confirmation screen takes focus with calendar links", async () => {
    window.sessionStorage.setItem("clinic.pendingBooking", JSON.stringify({
      doctor_id: 3, service_id: 5, starts_at: "2027-03-26T10:40:00+01:00", ends_at: "2027-03-26T11:00:00+01:00",
    }));
    document.cookie = "csrf_access_token=c; path=/";
    const fetch = fakeFetch(routes());
    vi.stubGlobal("fetch", fetch);
    page();
    expect(await screen.findByText("Hemos recuperado la hora que elegiste: revísala y confirma.")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Confirmar cita" }));
    const done = await screen.findByRole("region", { name: "Cita confirmada" });
    await waitFor(() => expect(screen.getByRole("heading", { name: "Cita confirmada" })).toHaveFocus());
    expect(done).toHaveTextContent("+34 910 000 000");
    const google = new URL(within(done).getByRole("link", { name: "Google Calendar" }).href);
    expect(google.searchParams.get("dates")).toBe("20270326T094000Z/20270326T100000Z");
    expect(google.searchParams.get("text")).toBe("Consulta general · Dra. Ana Ruiz");
    expect(google.searchParams.get("location")).toBe("Clínica Centro, Calle Mayor 1, Madrid");
    const outlook = new URL(within(done).getByRole("link", { name: "Outlook.com" }).href);
    expect(outlook.origin + outlook.pathname).toBe("https://outlook.live.com/calendar/0/action/compose");
    expect(outlook.searchParams.get("startdt")).toBe("2027-03-26T09:40:00.000Z");
    expect(within(done).getByRole("button", { name: "Apple Calendar (.ics)" })).toBeInTheDocument();
    expect(within(done).getByRole("link", { name: "Suscribirse a todas mis citas" })).toHaveAttribute("href", "/account");
    const post = fetch.calls.find((c) => c.init.method === "POST");
    expect(JSON.parse(post.init.body)).toEqual({ doctor_id: 3, service_id: 5, starts_at: "2027-03-26T10:40:00+01:00" });
    expect(window.sessionStorage.getItem("clinic.pendingBooking")).toBeNull();
  });

  it("keeps the confirmation on screen with a clear message when the time was just taken", async () => {
    document.cookie = "csrf_access_token=c; path=/";
    vi.stubGlobal("fetch", fakeFetch(routes({ "POST /api/appointments": [409, { error: { code: "slot_taken", message: "taken", fields: {} } }] })));
    page();
    fireEvent.click(await screen.findByRole("button", { name: /Primera hora libre: vie 26 de mar 10:40/ }));
    fireEvent.click(screen.getByRole("button", { name: "Confirmar cita" }));
    const confirm = screen.getByRole("region", { name: "Confirmar la cita" });
    await waitFor(() => expect(within(confirm).getByRole("alert")).toHaveTextContent("Ese hueco acaba de ocuparse. Elige otro."));
  });
});
