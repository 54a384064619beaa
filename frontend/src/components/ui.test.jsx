import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../lib/api.js";
import { renderWith } from "../test/render.jsx";
import { ErrorMessage, Field } from "./ui.jsx";

describe("error display", () => {
  it.each([
    ["es", "too_soon", "Esa hora está demasiado cerca; elige una más adelante."],
    ["en", "outside_working_hours", "That time is not one of the doctor's slots: it is outside the doctor's working hours"],
    ["es", "email_taken", "Ya existe una cuenta con ese correo."],
    ["en", "rate_limited", "Too many attempts. Wait a moment and try again."],
    ["es", "invalid_credentials", "Correo o contraseña incorrectos."],
  ])("translates %s %s", (locale, code, text) => {
    renderWith(<ErrorMessage error={new ApiError(409, { code, message: "server text" })} />, { locale });
    expect(screen.getByRole("alert")).toHaveTextContent(text);
  });

  it("never shows the server's English for an unknown code: the generic text in the user's language", () => {
    renderWith(<ErrorMessage error={new ApiError(409, { code: "brand_new_rule", message: "A new rule says no." })} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Algo ha fallado. Inténtalo de nuevo.");
    expect(screen.getByRole("alert")).not.toHaveTextContent("A new rule says no.");
  });

  it("explains the cutoff when it is too late to change", () => {
    renderWith(<ErrorMessage error={new ApiError(409, { code: "too_late_to_change", message: "x" })} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Ya es tarde para cambiar esta cita por la web.Las citas se pueden cambiar hasta unas horas antes y anular hasta la hora de la cita.");
  });

  it("puts each field's message next to its field", () => {
    const error = new ApiError(422, { code: "validation_error", message: "Invalid",
      fields: { email: "invalid_email" } });
    renderWith(<Field label="Correo" name="email" error={error} value="x" onChange={() => {}} />);
    const input = screen.getByLabelText("Correo");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("No es una dirección de correo válida (por ejemplo, nombre@ejemplo.com).");
  });
});
