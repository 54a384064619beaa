import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../../lib/i18n.jsx";
import { fakeFetch } from "../../../test/render.jsx";
import ManagePage from "./ManagePage.jsx";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUv";
const BASE = {
  kind: "appointment", id: 41, status: "booked", doctor_id: 3, service_id: 5, clinic_id: 1,
  starts_at: "2027-03-29T09:00:00+02:00", ends_at: "2027-03-29T09:30:00+02:00", timezone: "Europe/Madrid",
  doctor_name: "Dra. Ruiz", service_name: "Consulta general", patient_name: "Ana", clinic_name: "Clínica Centro",
  clinic_address: "Calle Mayor 1", sequence: 0, late_cancellation: false, cancelled_at: null,
  change_until: "2027-03-28T09:00:00+02:00", can_change: true, can_cancel: true, late_if_cancelled: false,
  hold_expires_at: null, manage_token: null,
  calendar: { google: "https://calendar.google.com/calendar/render?x", outlook: "https://outlook.live.com/x", ics: `/api/manage/${TOKEN}/ics` },
};

function renderAt(path, locale = "es") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <I18nProvider initialLocale={locale}>
        <MemoryRouter initialEntries={[path]}>
          <Routes><Route path="/a/:token" element={<ManagePage />} /></Routes>
        </MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("ManagePage", () => {
  it("shows the appointment in the clinic's zone with its calendar links, without signing in", async () => {
    const fetch = fakeFetch({ [`GET /api/manage/${TOKEN}`]: [200, BASE] });
    vi.stubGlobal("fetch", fetch);
    renderAt(`/a/${TOKEN}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Tu cita" })).toBeInTheDocument();
    expect(screen.getByText("lunes, 29 de marzo de 2027, 09:00")).toBeInTheDocument();
    expect(screen.getByText("Clínica Centro, Calle Mayor 1")).toBeInTheDocument();
    expect(screen.getByText("Puedes cambiarla o anularla hasta el domingo, 28 de marzo de 2027, 09:00.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Google Calendar" })).toHaveAttribute("href", BASE.calendar.google);
    expect(screen.getByRole("link", { name: "Otro calendario (.ics)" })).toHaveAttribute("href", `/api/manage/${TOKEN}/ics`);
    expect(fetch.calls[0].init.credentials).toBe("same-origin");
  });

  it("says a cancellation inside the deadline is late, and offers no change", async () => {
    const late = { ...BASE, can_change: false, late_if_cancelled: true };
    const fetch = fakeFetch({
      [`GET /api/manage/${TOKEN}`]: [200, late],
      [`POST /api/manage/${TOKEN}/cancel`]: [200, { ...late, status: "cancelled", late_cancellation: true, can_cancel: false, late_if_cancelled: false }],
    });
    vi.stubGlobal("fetch", fetch);
    renderAt(`/a/${TOKEN}`);
    expect(await screen.findByText(/El plazo para cambiarla terminó/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cambiar" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Anular" }));
    const dialog = await screen.findByRole("dialog", { name: "¿Anular esta cita?" });
    expect(dialog).toHaveTextContent("contará como anulación tardía");
    fireEvent.click(screen.getByRole("button", { name: "Sí, anularla" }));
    expect(await screen.findByText("Cita anulada. Ha contado como anulación tardía.")).toBeInTheDocument();
    expect(screen.getByText("Anulación tardía")).toBeInTheDocument();
    expect(fetch.calls.some((c) => c.url.endsWith(`/api/manage/${TOKEN}/cancel`) && c.init.method === "POST")).toBe(true);
  });

  it("accepts a waitlist offer in one tap and opens the new appointment (English)", async () => {
    const offer = { ...BASE, kind: "offer", id: null, status: "offered", calendar: null, can_change: false, can_cancel: false,
      change_until: null, hold_expires_at: "2027-03-20T10:30:00+01:00" };
    const booked = { ...BASE, id: 77, manage_token: "NewTokenNewTokenNewTok" };
    const fetch = fakeFetch({
      [`GET /api/manage/${TOKEN}`]: [200, offer],
      [`POST /api/manage/${TOKEN}/accept`]: [200, booked],
      "GET /api/manage/NewTokenNewTokenNewTok": [200, booked],
    });
    vi.stubGlobal("fetch", fetch);
    renderAt(`/a/${TOKEN}`, "en");
    expect(await screen.findByRole("heading", { name: "A slot is waiting for you" })).toBeInTheDocument();
    expect(screen.getByText(/We are holding it for you until Saturday, March 20, 2027, 10:30/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Book this slot" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Your appointment" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText(/Done! Your appointment is booked for Monday, March 29, 2027, 09:00/)).toBeInTheDocument());
  });

  it("says a dead link is not valid", async () => {
    vi.stubGlobal("fetch", fakeFetch({}));
    renderAt(`/a/${TOKEN}`);
    expect(await screen.findByRole("heading", { name: "Enlace no válido" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Entrar en tu cuenta" })).toHaveAttribute("href", "/login");
  });
});
