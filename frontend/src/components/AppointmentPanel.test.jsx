import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../test/render.jsx";
import { AppointmentPanel } from "./AppointmentPanel.jsx";

const appointment = {
  id: 41, doctor_id: 3, patient_id: 9, service_id: 5, status: "booked", patient_name: "Marta Villanueva",
  doctor_name: "Dra. Ana Ruiz", service_name: "Revisión breve", timezone: "Europe/Madrid",
  starts_at: "2031-03-31T10:40:00+02:00", ends_at: "2031-03-31T11:00:00+02:00",
};

afterEach(() => vi.unstubAllGlobals());

describe("cancelling from a staff screen", () => {
  it("asks first, sends nothing until confirmed, and sends the reason for the patient", async () => {
    const fetch = fakeFetch({ "POST /api/appointments/41/cancel": [200, { ...appointment, status: "cancelled" }] });
    vi.stubGlobal("fetch", fetch);
    renderWith(<AppointmentPanel appointment={appointment} zone="Europe/Madrid" actions={["cancel"]} onClose={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Anular cita" }));
    expect(screen.getByText("¿Anular esta cita?")).toBeInTheDocument();
    expect(screen.getByText(/Se anulará la cita de Marta Villanueva/)).toBeInTheDocument();
    expect(fetch.calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText("Motivo para el paciente (opcional)"), { target: { value: "  La doctora está de baja. " } });
    fireEvent.click(screen.getByRole("button", { name: "Sí, anular" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Cita anulada."));
    expect(fetch.calls).toHaveLength(1);
    expect(JSON.parse(fetch.calls[0].init.body)).toEqual({ reason: "La doctora está de baja." });
  }, 30000); // jsdom renders slowly on a loaded machine

  it("can be called off without sending anything", () => {
    const fetch = fakeFetch({});
    vi.stubGlobal("fetch", fetch);
    renderWith(<AppointmentPanel appointment={appointment} zone="Europe/Madrid" actions={["cancel"]} onClose={() => {}} />, { locale: "en" });
    fireEvent.click(screen.getByRole("button", { name: "Cancel appointment" }));
    fireEvent.click(screen.getByRole("button", { name: "No, keep it" }));
    expect(screen.queryByText("Cancel this appointment?")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel appointment" })).toBeInTheDocument();
    expect(fetch.calls).toHaveLength(0);
  }, 30000);
});
