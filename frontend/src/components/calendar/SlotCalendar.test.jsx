import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderWith } from "../../test/render.jsx";
import { SlotCalendar } from "./SlotPicker.jsx";

// The week of the spring-forward in Madrid (Sunday 2027-03-28, 02:00 → 03:00), browser in Los Angeles.
const SLOTS = [
  { starts_at: "2027-03-26T09:00:00+01:00", ends_at: "2027-03-26T09:30:00+01:00" }, // Friday, CET
  { starts_at: "2027-03-27T09:00:00+01:00", ends_at: "2027-03-27T09:30:00+01:00" }, // Saturday, CET
  { starts_at: "2027-03-28T09:00:00+02:00", ends_at: "2027-03-28T09:30:00+02:00" }, // Sunday, CEST
  { starts_at: "2027-03-28T17:30:00+02:00", ends_at: "2027-03-28T18:00:00+02:00" },
];

function renderWeek(props = {}) {
  const onPick = vi.fn();
  const utils = renderWith(
    <SlotCalendar slots={SLOTS} zone="Europe/Madrid" date={new Date(2027, 2, 24)} view="week"
      onNavigate={() => {}} onView={() => {}} onPick={onPick} label="Huecos" {...props} />,
    props.locale ? { locale: props.locale } : undefined,
  );
  return { ...utils, onPick };
}

const slotButtons = (container) => [...container.querySelectorAll(".rbc-event.slot-event")];

describe("SlotCalendar in the DST week", () => {
  it("shows each slot at the clinic's wall-clock time, before and after the change", () => {
    const { container } = renderWeek();
    const labels = slotButtons(container).map((el) => el.querySelector(".rbc-event-label").textContent);
    expect(labels).toEqual(["09:00 – 09:30", "09:00 – 09:30", "09:00 – 09:30", "17:30 – 18:00"]);
  });

  it("places 09:00 at the same height on every day of the week", () => {
    const { container } = renderWeek();
    const tops = slotButtons(container).slice(0, 3).map((el) => el.style.top);
    expect(new Set(tops).size).toBe(1);
    // min 07:00, max 21:00: 09:00 is 2/14 of the way down.
    expect(parseFloat(tops[0])).toBeCloseTo((2 / 14) * 100, 3);
  });

  it("puts the slots in the right day columns", () => {
    const { container } = renderWeek();
    const columns = [...container.querySelectorAll(".rbc-time-content > .rbc-day-slot")];
    expect(columns).toHaveLength(7);
    const counts = columns.map((col) => col.querySelectorAll(".rbc-event").length);
    expect(counts).toEqual([0, 0, 0, 0, 1, 1, 2]); // Mon..Sun
    const headers = [...container.querySelectorAll(".rbc-time-header .rbc-header")].map((h) => h.textContent);
    expect(headers).toEqual(["lun 22", "mar 23", "mié 24", "jue 25", "vie 26", "sáb 27", "dom 28"]);
  });

  it("labels the hour gutter in clinic time, with no missing or doubled hour", () => {
    const { container } = renderWeek();
    const gutter = [...container.querySelectorAll(".rbc-time-gutter .rbc-label")].map((el) => el.textContent).filter(Boolean);
    expect(gutter[0]).toBe("07:00");
    expect(gutter).toContain("09:00");
    expect(gutter).toHaveLength(14);
    expect(new Set(gutter).size).toBe(14);
  });

  it("gives every slot an accessible name with the full clinic date and time", () => {
    renderWeek();
    expect(screen.getByRole("button", { name: /Reservar el domingo, 28 de marzo de 2027, 09:00/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Reservar el viernes, 26 de marzo de 2027, 09:00/ })).toBeInTheDocument();
    expect(screen.getByText("Horas de la clínica (Europe/Madrid)")).toBeInTheDocument();
  });

  it("is English when the user picks English", () => {
    renderWeek({ locale: "en" });
    expect(screen.getByRole("button", { name: /Book Sunday, March 28, 2027, 17:30/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Today" })).toBeInTheDocument();
  });

  it("picks a slot by click and by keyboard", () => {
    const { onPick } = renderWeek();
    const sunday = screen.getByRole("button", { name: /domingo, 28 de marzo de 2027, 09:00/ });
    fireEvent.click(sunday);
    expect(onPick).toHaveBeenLastCalledWith(expect.objectContaining({ starts_at: "2027-03-28T09:00:00+02:00" }));
    const friday = screen.getByRole("button", { name: /viernes, 26 de marzo de 2027, 09:00/ });
    friday.focus();
    fireEvent.keyDown(friday, { key: "Enter" });
    expect(onPick).toHaveBeenLastCalledWith(expect.objectContaining({ starts_at: "2027-03-26T09:00:00+01:00" }));
    expect(onPick).toHaveBeenCalledTimes(2);
  });

  it("shows the day view of the change day with the slots at their clinic hours", () => {
    const { container } = renderWeek({ view: "day", date: new Date(2027, 2, 28) });
    const events = slotButtons(container);
    expect(events.map((el) => el.querySelector(".rbc-event-label").textContent)).toEqual(["09:00 – 09:30", "17:30 – 18:00"]);
    expect(within(container.querySelector(".rbc-toolbar")).getByText("domingo, 28 de marzo de 2027")).toBeInTheDocument();
  });
});

describe("SlotCalendar while rescheduling", () => {
  it("shows the current appointment, which cannot be picked", () => {
    const current = { id: 9, starts_at: "2027-03-26T10:00:00+01:00", ends_at: "2027-03-26T10:30:00+01:00" };
    const { onPick } = renderWeek({ current });
    const mine = screen.getByRole("button", { name: "10:00 – 10:30 Tu cita actual" });
    fireEvent.click(mine);
    fireEvent.keyDown(mine, { key: "Enter" });
    expect(onPick).not.toHaveBeenCalled();
  });
});

describe("today in the clinic", () => {
  it("highlights the clinic's today, not the browser's", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2027-03-26T23:30:00Z")); // Friday 16:30 in Los Angeles, Saturday 00:30 in Madrid
    try {
      const { container } = renderWeek();
      const headers = [...container.querySelectorAll(".rbc-time-header .rbc-header")];
      expect(headers.find((h) => h.classList.contains("rbc-today")).textContent).toBe("sáb 27");
    } finally {
      vi.useRealTimers();
    }
  });
});
