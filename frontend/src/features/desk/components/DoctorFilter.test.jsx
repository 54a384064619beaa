import { fireEvent, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { renderWith } from "../../../test/render.jsx";
import { DoctorFilter } from "./DoctorFilter.jsx";

const doctors = [{ id: 1, full_name: "Dra. Ana Ruiz" }, { id: 2, full_name: "Dr. Jorge Sanz" }, { id: 3, full_name: "Dra. Eva Gil" }];

function Harness({ onHidden }) {
  const [hidden, setHidden] = useState([]);
  return <DoctorFilter doctors={doctors} hidden={hidden} onChange={(next) => { setHidden(next); onHidden(next); }} />;
}

describe("DoctorFilter", () => {
  it("toggles doctors, shows only one, keeps the last one in sight and says how many are shown", () => {
    const seen = [];
    renderWith(<Harness onHidden={(h) => seen.push(h)} />);
    expect(screen.getByRole("group", { name: "Médicos a la vista (3 de 3)" })).toBeTruthy();
    fireEvent.click(screen.getByRole("checkbox", { name: "Dr. Jorge Sanz" }));
    expect(screen.getByRole("group", { name: "Médicos a la vista (2 de 3)" })).toBeTruthy();
    expect(screen.getByRole("checkbox", { name: "Dr. Jorge Sanz" }).checked).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Ver solo a Dra. Eva Gil" }));
    expect(seen.at(-1)).toEqual([1, 2]);
    const last = screen.getByRole("checkbox", { name: "Dra. Eva Gil" });
    expect(last.checked).toBe(true);
    expect(last.disabled).toBe(true); // the last doctor in sight cannot be hidden
    fireEvent.click(screen.getByRole("button", { name: "Ver a todos" }));
    expect(seen.at(-1)).toEqual([]);
    expect(screen.getByRole("group", { name: "Médicos a la vista (3 de 3)" })).toBeTruthy();
  });

  it("speaks English", () => {
    renderWith(<Harness onHidden={() => {}} />, { locale: "en" });
    expect(screen.getByRole("group", { name: "Doctors shown (3 of 3)" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Show only Dr. Jorge Sanz" })).toBeTruthy();
  });
});
