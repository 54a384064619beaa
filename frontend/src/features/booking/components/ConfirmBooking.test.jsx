import { fireEvent, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api.js";
import { renderWith } from "../../../test/render.jsx";
import { ConfirmBooking } from "./ConfirmBooking.jsx";

const props = {
  doctor: { id: 3, full_name: "Dra. Ana Ruiz", specialty: "Cardiología" },
  service: { id: 5, name: "Consulta general", duration_minutes: 30 },
  clinic: { id: 1, name: "Clínica Centro", address: "Calle Mayor 1, Madrid", phone: "+34 910 000 000", change_cutoff_hours: 24 },
  slot: { starts_at: "2027-03-28T09:00:00+02:00", ends_at: "2027-03-28T09:30:00+02:00" },
  zone: "Europe/Madrid",
  onBack: () => {},
  onAccount: () => {},
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2027-03-20T10:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("ConfirmBooking", { timeout: 30000 }, () => {
  it("says what, who, where (address and phone) and when, the change deadline, and takes focus", () => {
    const onConfirm = vi.fn();
    renderWith(<ConfirmBooking {...props} signedIn onConfirm={onConfirm} />);
    const section = screen.getByRole("region", { name: "Confirmar la cita" });
    expect(screen.getByRole("heading", { name: "Confirmar la cita" })).toHaveFocus();
    expect(section).toHaveTextContent("Consulta general (30 min)");
    expect(section).toHaveTextContent("Dra. Ana Ruiz · Cardiología");
    expect(section).toHaveTextContent("Calle Mayor 1, Madrid");
    expect(screen.getByRole("link", { name: "+34 910 000 000" })).toHaveAttribute("href", "tel:+34910000000");
    expect(section).toHaveTextContent("domingo, 28 de marzo de 2027, 09:00–09:30 (hora de Europe/Madrid)");
    // The deadline: 24 real hours before, on the clinic's clock: across the change to summer time that is 08:00.
    expect(section).toHaveTextContent("hasta el sábado, 27 de marzo de 2027, 08:00 (24 horas antes)");
    fireEvent.change(screen.getByLabelText("Motivo (opcional)"), { target: { value: "  Dolor de espalda " } });
    fireEvent.click(screen.getByRole("button", { name: "Confirmar cita" }));
    expect(onConfirm).toHaveBeenCalledWith("Dolor de espalda");
  });

  it("warns before confirming when the time is already inside the cutoff", () => {
    vi.setSystemTime(new Date("2027-03-28T03:00:00Z")); // 4 hours before
    renderWith(<ConfirmBooking {...props} signedIn onConfirm={() => {}} />, { locale: "en" });
    expect(screen.getByText(/starts in less than 24 hours: you cannot change it online/)).toBeInTheDocument();
  });

  it("asks a visitor for an account at this step, keeping the choice", () => {
    const onAccount = vi.fn();
    renderWith(<ConfirmBooking {...props} signedIn={false} onConfirm={() => {}} onAccount={onAccount} />);
    expect(screen.queryByRole("button", { name: "Confirmar cita" })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Crear cuenta y continuar" }));
    expect(onAccount).toHaveBeenCalledWith("/register");
    fireEvent.click(screen.getByRole("button", { name: "Iniciar sesión" }));
    expect(onAccount).toHaveBeenCalledWith("/login");
  });

  it("shows a taken slot as a translated error and disables the button while sending", () => {
    const error = new ApiError(409, { code: "slot_taken", message: "That time cannot be booked", fields: {} });
    renderWith(<ConfirmBooking {...props} signedIn pending error={error} onConfirm={() => {}} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Ese hueco acaba de ocuparse. Elige otro.");
    expect(screen.getByRole("button", { name: "Enviando…" })).toBeDisabled();
  });
});
