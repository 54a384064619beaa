import { describe, expect, it } from "vitest";
import { fromWall, isRepeatedWallTime, isoInZone, localInputToInstant, longDateTime, shortTime, toWall } from "./tz.js";

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

  it("says which of the two repeated hours a time is, and only then", () => {
    // Madrid, 31 Oct 2027: 02:00-02:59 happens in CEST, then again in CET.
    expect(longDateTime("2027-10-31T00:00:00Z", "Europe/Madrid", "es")).toBe("domingo, 31 de octubre de 2027, 02:00 CEST");
    expect(longDateTime("2027-10-31T01:00:00Z", "Europe/Madrid", "es")).toBe("domingo, 31 de octubre de 2027, 02:00 CET");
    expect(shortTime("2027-10-31T01:30:00Z", "Europe/Madrid")).toBe("02:30 CET");
    expect(shortTime("2027-10-31T02:00:00Z", "Europe/Madrid")).toBe("03:00");
    // New York, 7 Nov 2027: 01:00 EDT, then 01:00 EST.
    expect(shortTime("2027-11-07T05:00:00Z", "America/New_York", "en")).toBe("01:00 EDT");
    expect(longDateTime("2027-11-07T06:00:00Z", "America/New_York", "en")).toBe("Sunday, November 7, 2027, 01:00 EST");
    // The spring gap and ordinary times name a single instant: no abbreviation.
    expect(shortTime("2027-03-28T01:00:00Z", "Europe/Madrid")).toBe("03:00");
    expect(shortTime("2027-03-28T00:30:00Z", "Europe/Madrid")).toBe("01:30");
    expect(isRepeatedWallTime("2027-10-31T07:00:00Z", "America/Mexico_City")).toBe(false); // no DST since 2022
    expect(shortTime("2021-10-31T06:00:00Z", "America/Mexico_City")).toBe("01:00 CDT");
  });
});
