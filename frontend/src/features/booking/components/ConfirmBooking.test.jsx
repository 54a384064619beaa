import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api.js";
import { renderWith } from "../../../test/render.jsx";
import { ConfirmBooking } from "./ConfirmBooking.jsx";

const props = {
  doctor: { id: 3, full_name: "Dra. Ana Ruiz" },
  service: { id: 5, name: "Consulta general" },
  slot: { starts_at: "2027-03-28T09:00:00+02:00", ends_at: "2027-03-28T09:30:00+02:00" },
  zone: "Europe/Madrid",
};

describe("ConfirmBooking", () => {
  it("summarises service, doctor and clinic time, then confirms with the reason", () => {
    const onConfirm = vi.fn();
    renderWith(<ConfirmBooking {...props} onConfirm={onConfirm} onClose={() => {}} />);
    const dialog = screen.getByRole("dialog", { name: "Confirmar la cita" });
    expect(dialog).toHaveTextContent("Consulta general");
    expect(dialog).toHaveTextContent("Dra. Ana Ruiz");
    expect(dialog).toHaveTextContent("domingo, 28 de marzo de 2027, 09:00");
    expect(screen.getByLabelText("Motivo (opcional)")).toHaveFocus();
    fireEvent.change(screen.getByLabelText("Motivo (opcional)"), { target: { value: "  Dolor de espalda " } });
    fireEvent.click(screen.getByRole("button", { name: "Confirmar cita" }));
    expect(onConfirm).toHaveBeenCalledWith("Dolor de espalda");
  });

  it("shows a taken slot as a translated error and closes on Escape", () => {
    const onClose = vi.fn();
    const error = new ApiError(409, { code: "slot_taken", message: "That time cannot be booked", fields: {} });
    renderWith(<ConfirmBooking {...props} error={error} onConfirm={() => {}} onClose={onClose} />, { locale: "en" });
    expect(screen.getByRole("alert")).toHaveTextContent("That time was just taken. Please pick another.");
    fireEvent.keyDown(document, { key: "Escape" });
    expect(onClose).toHaveBeenCalled();
  });

  it("disables the button while sending", () => {
    renderWith(<ConfirmBooking {...props} pending onConfirm={() => {}} onClose={() => {}} />);
    expect(screen.getByRole("button", { name: "Enviando…" })).toBeDisabled();
  });
});
