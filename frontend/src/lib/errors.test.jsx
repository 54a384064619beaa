import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ErrorMessage, Field } from "../components/ui.jsx";
import { renderWith } from "../test/render.jsx";
import { ApiError } from "./api.js";
import { errorText, fieldErrorText, translate } from "./i18n.jsx";
import { messages } from "./messages.js";

const t = (locale) => (key, vars) => translate(locale, key, vars);

// What the API really sends (tests/web/test_field_codes.py asserts the server side of each).
const error = new ApiError(422, {
  code: "weak_password", message: "That password is one of the most used (rol: is not an accepted field).",
  fields: { full_name: "required", email: "invalid_email", phone: "control_characters", password: "too_common",
    new_password: "too_short", current_password: "wrong", rol: "not_accepted" },
});

describe("error codes and field codes in the user's language", () => {
  it.each([
    ["es", {
      full_name: "Este campo es obligatorio.",
      email: "No es una dirección de correo válida (por ejemplo, nombre@ejemplo.com).",
      phone: "Escríbelo en una sola línea, sin caracteres especiales.",
      password: "Es una de las contraseñas más usadas: elige otra.",
      new_password: "Debe tener al menos 8 caracteres.",
      current_password: "No es correcta.",
      rol: "Este dato no se admite aquí.",
    }],
    ["en", {
      full_name: "This field is required.",
      email: "Is not a valid email address (for example, name@example.com).",
      phone: "Write it on one line, without special characters.",
      password: "Is one of the most used passwords: choose another.",
      new_password: "Must have at least 8 characters.",
      current_password: "Is not correct.",
      rol: "This value is not accepted here.",
    }],
  ])("%s: every field's code has its own text", (locale, expected) => {
    for (const [name, text] of Object.entries(expected)) {
      expect(fieldErrorText(t(locale), error, name)).toBe(text);
    }
    expect(errorText(t(locale), error)).toBe(messages[locale].errors.weak_password);
  });

  it("the same code reads differently for a password and for another field", () => {
    const short = new ApiError(422, { code: "validation_error", message: "x", fields: { password: "too_short", phone: "too_short" } });
    expect(fieldErrorText(t("es"), short, "password")).toBe("Debe tener al menos 8 caracteres.");
    expect(fieldErrorText(t("es"), short, "phone")).toBe("Es demasiado corto.");
  });

  it("text from an older server, or a code we do not know, becomes the generic field text, never the English", () => {
    const odd = new ApiError(422, { code: "validation_error", message: "Some fields are invalid.",
      fields: { to: "the range is at most 60 days" } });
    expect(fieldErrorText(t("es"), odd, "to")).toBe("Revisa este dato.");
    expect(fieldErrorText(t("en"), odd, "to")).toBe("Please check this value.");
    expect(errorText(t("es"), new ApiError(422, { code: "brand_new", message: "Nope", fields: { a: "b" } })))
      .toBe("Revisa los campos marcados.");
  });

  it("an error list for fields off screen names them in the language, without raw keys or server text", () => {
    renderWith(<ErrorMessage error={error} showFields />, { locale: "en" });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Current password: Is not correct.");
    expect(alert).toHaveTextContent("A value: This value is not accepted here.");
    expect(alert.textContent).not.toMatch(/fieldErrors|fieldNames|errors\.|most used \(|accepted field|too_common|not_accepted/);
  });

  it("a Field shows its translated error as its accessible description", () => {
    renderWith(<Field label="Nombre" name="full_name" error={error} value="" onChange={() => {}} />);
    expect(screen.getByLabelText("Nombre")).toHaveAccessibleDescription("Este campo es obligatorio.");
  });

  it("es and en have the same error, field error and field name keys", () => {
    const keys = (node, prefix = "") => Object.entries(node).flatMap(([k, v]) =>
      (typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();
    for (const group of ["errors", "fieldErrors", "fieldNames", "record"]) {
      expect(keys(messages.en[group])).toEqual(keys(messages.es[group]));
    }
  });
});
