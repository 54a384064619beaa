import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "../../test/render.jsx";
import { getSlots } from "./get-slots.js";

afterEach(() => vi.unstubAllGlobals());

describe("getSlots", () => {
  it("asks as the chosen patient only when one is given (the front desk booking for them)", async () => {
    const fetch = fakeFetch({ "GET /api/doctors/3/slots": [200, { timezone: "Europe/Madrid", slots: [] }] });
    vi.stubGlobal("fetch", fetch);
    await getSlots({ doctorId: 3, serviceId: 5, from: "2027-03-22", to: "2027-03-28" });
    await getSlots({ doctorId: 3, serviceId: 5, from: "2027-03-22", to: "2027-03-28", patientId: 42 });
    expect(fetch.calls.map((c) => c.url)).toEqual([
      expect.not.stringContaining("patient_id"),
      expect.stringContaining("patient_id=42"),
    ]);
  });
});
