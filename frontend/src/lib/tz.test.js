import { describe, expect, it } from "vitest";
import { fromWall, isoInZone, localInputToInstant, longDateTime, toWall } from "./tz.js";

describe("clinic time zone helpers (browser in Los Angeles)", () => {
  it("runs with the browser in another zone than the clinic", () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe("America/Los_Angeles");
  });

  it("maps instants to Madrid wall-clock across the 2027-03-28 DST change", () => {
    const before = toWall("2027-03-27T09:00:00+01:00", "Europe/Madrid");
    const after = toWall("2027-03-29T09:00:00+02:00", "Europe/Madrid");
    expect([before.getDate(), before.getHours(), before.getMinutes()]).toEqual([27, 9, 0]);
    expect([after.getDate(), after.getHours(), after.getMinutes()]).toEqual([29, 9, 0]);
    const night = toWall("2027-03-28T01:00:00Z", "Europe/Madrid"); // 03:00 CEST, right after the jump
    expect([night.getDate(), night.getHours()]).toEqual([28, 3]);
  });

  it("reads a wall date back as the clinic instant with the right offset", () => {
    expect(isoInZone(fromWall(new Date(2027, 2, 26, 10, 30), "Europe/Madrid"), "Europe/Madrid")).toBe("2027-03-26T10:30:00+01:00");
    expect(isoInZone(fromWall(new Date(2027, 2, 29, 10, 30), "Europe/Madrid"), "Europe/Madrid")).toBe("2027-03-29T10:30:00+02:00");
    expect(localInputToInstant("2027-03-29T08:00", "Europe/Madrid").toISOString()).toBe("2027-03-29T06:00:00.000Z");
  });

  it("formats long dates in both languages in the clinic zone", () => {
    expect(longDateTime("2027-03-29T07:00:00Z", "Europe/Madrid", "es")).toBe("lunes, 29 de marzo de 2027, 09:00");
    expect(longDateTime("2027-03-29T07:00:00Z", "Europe/Madrid", "en")).toBe("Monday, March 29, 2027, 09:00");
    expect(longDateTime("2027-03-29T07:00:00Z", "Atlantic/Canary", "es")).toBe("lunes, 29 de marzo de 2027, 08:00");
  });
});
