import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../../test/render.jsx";
import { NoReplyList } from "./NoReplyList.jsx";

const ITEM = {
  id: 41, doctor_id: 3, patient_id: 9, service_id: 5, clinic_id: 1, starts_at: "2027-03-30T09:30:00+02:00",
  ends_at: "2027-03-30T10:00:00+02:00", status: "booked", reason: null, sequence: 0, timezone: "Europe/Madrid",
  doctor_name: "Dra. Ruiz", patient_name: "Ana Pérez", service_name: "Consulta", confirmation: "unconfirmed",
  patient_phone: "+34612345678", sms_sent: true,
};

function routes(items) {
  return {
    "GET /api/appointments/no-reply": [200, { date: "2027-03-30", clinic_id: 1, timezone: "Europe/Madrid", items }],
    "GET /api/appointments": [200, [{ ...ITEM, id: 42, status: "cancelled", confirmation: "cancelled_by_sms" },
      { ...ITEM, id: 43, status: "cancelled", confirmation: "unconfirmed" }]],
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("NoReplyList", () => {
  it("lists tomorrow's unconfirmed patients with a phone to call, and counts the SMS cancellations", async () => {
    const fetch = fakeFetch(routes([ITEM]));
    vi.stubGlobal("fetch", fetch);
    renderWith(<NoReplyList clinicId={1} />);
    expect(await screen.findByText("Ana Pérez")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "+34612345678" })).toHaveAttribute("href", "tel:+34612345678");
    expect(screen.getByText("09:30")).toBeInTheDocument(); // the clinic's time, not the browser's
    expect(screen.getByText("Sin confirmar (SMS enviado)")).toBeInTheDocument();
    expect(await screen.findByText("Anuladas por SMS para mañana: 1")).toBeInTheDocument();
    expect(fetch.calls[0].url).toContain("/api/appointments/no-reply?clinic_id=1");
  });

  it("says so in English when everyone answered", async () => {
    vi.stubGlobal("fetch", fakeFetch(routes([])));
    renderWith(<NoReplyList clinicId={1} />, { locale: "en" });
    expect(await screen.findByText("Every patient of tomorrow has answered.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "No reply yet for tomorrow" })).toBeInTheDocument();
  });
});
