import { describe, expect, it } from "vitest";
import { loadHidden, onlyDoctor, saveHidden, toggleHidden, visibleDoctors } from "./doctor-filter.js";

const doctors = [{ id: 1 }, { id: 2 }, { id: 3 }];

function memory() {
  const data = new Map();
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)) };
}

describe("the desk's doctor filter", () => {
  it("shows everyone until a doctor is hidden, and a doctor added later shows up by default", () => {
    expect(visibleDoctors(doctors, []).map((d) => d.id)).toEqual([1, 2, 3]);
    const hidden = toggleHidden(doctors, [], 2);
    expect(visibleDoctors(doctors, hidden).map((d) => d.id)).toEqual([1, 3]);
    expect(visibleDoctors([...doctors, { id: 4 }], hidden).map((d) => d.id)).toEqual([1, 3, 4]);
  });

  it("never hides the last doctor in sight", () => {
    const hidden = onlyDoctor(doctors, 3);
    expect(visibleDoctors(doctors, hidden).map((d) => d.id)).toEqual([3]);
    expect(toggleHidden(doctors, hidden, 3)).toEqual(hidden);
    // A stored choice that hides everyone (doctors changed meanwhile) shows them all rather than nothing.
    expect(visibleDoctors(doctors, [1, 2, 3]).map((d) => d.id)).toEqual([1, 2, 3]);
  });

  it("shows a hidden doctor again when toggled, and forgets doctors who left the clinic", () => {
    expect(toggleHidden(doctors, [2, 3], 2)).toEqual([3]);
    expect(toggleHidden(doctors, [99], 1)).toEqual([1]);
  });

  it("is remembered per clinic, and an unreadable stored value is ignored", () => {
    const storage = memory();
    saveHidden(storage, 7, [2]);
    expect(loadHidden(storage, 7)).toEqual([2]);
    expect(loadHidden(storage, 8)).toEqual([]);
    storage.setItem("clinic.desk.hidden.9", "{not json");
    expect(loadHidden(storage, 9)).toEqual([]);
    storage.setItem("clinic.desk.hidden.9", JSON.stringify(["x", 3]));
    expect(loadHidden(storage, 9)).toEqual([3]);
    expect(loadHidden(null, 7)).toEqual([]);
  });
});
