import { describe, expect, it } from "vitest";
import { worksAt } from "../api/get-doctor-hours.js";
import { snapToSlot } from "./DeskPage.jsx";

const ZONE = "Europe/Madrid";
// A 20-minute service's free starts on Monday 2027-03-29 (CEST): 10:00, 10:20, 10:40, 11:00.
const slots = ["10:00", "10:20", "10:40", "11:00"].map((hhmm) => ({ starts_at: `2027-03-29T${hhmm}:00+02:00` }));
const wall = (h, m) => new Date(2027, 2, 29, h, m);

describe("dropping an appointment on the desk", () => {
  it("lands on the nearest real start of the service, not on a 30-minute grid", () => {
    expect(snapToSlot(slots, wall(10, 45), ZONE, 20)).toBe("2027-03-29T10:40:00+02:00");
    expect(snapToSlot(slots, wall(10, 38), ZONE, 20)).toBe("2027-03-29T10:40:00+02:00");
    expect(snapToSlot(slots, wall(10, 0), ZONE, 20)).toBe("2027-03-29T10:00:00+02:00");
  });

  it("does not snap a drop far from every free start (the server then says why)", () => {
    expect(snapToSlot(slots, wall(14, 0), ZONE, 20)).toBeNull();
    expect(snapToSlot([], wall(10, 0), ZONE, 20)).toBeNull();
  });
});

describe("hours outside the schedule", () => {
  const schedule = {
    hours: [{ weekday: 0, start: "09:00", end: "13:00" }, { weekday: 0, start: "16:00", end: "18:00" }],
    overrides: [{ date: "2027-04-05", ranges: [] }, { date: "2027-04-12", ranges: [{ start: "19:00", end: "20:00" }] }],
  };

  it("follows the weekday's ranges", () => {
    expect(worksAt(schedule, wall(9, 0))).toBe(true);
    expect(worksAt(schedule, wall(12, 50))).toBe(true);
    expect(worksAt(schedule, wall(13, 0))).toBe(false);
    expect(worksAt(schedule, wall(16, 30))).toBe(true);
    expect(worksAt(schedule, new Date(2027, 2, 30, 10, 0))).toBe(false); // Tuesday: no hours
  });

  it("lets a date override replace the weekday: a day off, or other hours", () => {
    expect(worksAt(schedule, new Date(2027, 3, 5, 10, 0))).toBe(false);
    expect(worksAt(schedule, new Date(2027, 3, 12, 10, 0))).toBe(false);
    expect(worksAt(schedule, new Date(2027, 3, 12, 19, 30))).toBe(true);
  });

  it("shades nothing before the schedule has loaded", () => {
    expect(worksAt(undefined, wall(3, 0))).toBe(true);
  });
});
