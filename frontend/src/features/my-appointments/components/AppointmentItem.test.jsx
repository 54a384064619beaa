import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderWith } from "../../../test/render.jsx";
import { AppointmentItem } from "./AppointmentItem.jsx";

const CLINIC = { id: 1, name: "Clínica Centro", phone: "+34 910 000 000", change_cutoff_hours: 24 };
const base = { id: 7, status: "booked", timezone: "Europe/Madrid", service_name: "Consulta", doctor_name: "Dra. Ruiz", clinic_id: 1 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("AppointmentItem", { timeout: 30000 }, () => {
  it("offers Change and Cancel before the deadline, and says until when", () => {
    renderWith(<AppointmentItem appointment={{ ...base, starts_at: "2027-01-14T09:00:00+01:00" }} clinic={CLINIC} onReschedule={() => {}} onCancel={() => {}} />);
    expect(screen.getByRole("button", { name: "Cambiar fecha" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Anular cita" })).toBeInTheDocument();
    expect(screen.getByText("Se puede cambiar o anular hasta el miércoles, 13 de enero de 2027, 09:00.")).toBeInTheDocument();
  });

  it("hides Change after the deadline, keeps Cancel (late) and gives the clinic's phone", () => {
    renderWith(<AppointmentItem appointment={{ ...base, starts_at: "2027-01-11T13:00:00+01:00" }} clinic={CLINIC} onReschedule={() => {}} onCancel={() => {}} />, { locale: "en" });
    expect(screen.queryByRole("button", { name: "Reschedule" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel appointment" })).toBeInTheDocument();
    expect(screen.getByText(/counts as a late cancellation\. To change it, call Clínica Centro: \+34 910 000 000\./)).toBeInTheDocument();
  });

  it("marks a late cancellation", () => {
    renderWith(<AppointmentItem appointment={{ ...base, status: "cancelled", late_cancellation: true, starts_at: "2027-01-11T13:00:00+01:00" }} clinic={CLINIC} onReschedule={() => {}} onCancel={() => {}} />);
    expect(screen.getByText("Anulación tardía")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Anular cita" })).not.toBeInTheDocument();
  });
});
