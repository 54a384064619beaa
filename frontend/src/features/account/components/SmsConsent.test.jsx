import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import { SmsConsent } from "./SmsConsent.jsx";

const USER = { id: 9, email: "ana@example.com", full_name: "Ana", role: "patient", locale: "es", phone: "+34612345678",
  sms_opt_in: false, sms_opt_in_at: null };

afterEach(() => vi.unstubAllGlobals());

describe("SmsConsent", () => {
  it("records the explicit consent and shows when it was given", async () => {
    const fetch = fakeFetch({ "PATCH /api/me": [200, { ...USER, sms_opt_in: true, sms_opt_in_at: "2027-03-01T10:00:00+00:00" }] });
    vi.stubGlobal("fetch", fetch);
    renderWith(<SmsConsent user={USER} />);
    const box = screen.getByRole("checkbox", { name: /Acepto recibir recordatorios de mis citas por SMS o WhatsApp en el \+34612345678/ });
    expect(box).not.toBeChecked();
    fireEvent.click(box);
    await waitFor(() => expect(screen.getByRole("checkbox")).toBeChecked());
    expect(JSON.parse(fetch.calls[0].init.body)).toEqual({ sms_opt_in: true });
    expect(screen.getByText(/Aceptado el/)).toBeInTheDocument();
  });

  it("asks for a phone first", () => {
    renderWith(<SmsConsent user={{ ...USER, phone: null }} />, { locale: "en" });
    expect(screen.queryByRole("checkbox")).toBeNull();
    expect(screen.getByText(/Add your phone with the country code/)).toBeInTheDocument();
  });
});
