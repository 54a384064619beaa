import { describe, expect, it } from "vitest";
import { translate } from "../../../lib/i18n.jsx";
import { rangeProblems } from "./RangeRows.jsx";
import { fromWeek, toWeek } from "./WorkingHoursEditor.jsx";

const t = (key, vars) => translate("es", key, vars);

describe("the week editor's model", () => {
  it("groups the stored rows by day and writes them back unchanged", () => {
    const rows = [{ weekday: 0, start: "09:00", end: "13:00" }, { weekday: 0, start: "16:00", end: "18:00" },
      { weekday: 4, start: "08:00", end: "12:00" }];
    const week = toWeek(rows);
    expect(week[0]).toEqual({ on: true, ranges: [{ start: "09:00", end: "13:00" }, { start: "16:00", end: "18:00" }] });
    expect(week[1]).toEqual({ on: false, ranges: [] });
    expect(fromWeek(week)).toEqual(rows);
  });

  it("leaves out a day switched off, even with ranges typed in", () => {
    const week = toWeek([{ weekday: 2, start: "09:00", end: "10:00" }]);
    week[2].on = false;
    expect(fromWeek(week)).toEqual([]);
  });

  it("explains bad ranges in the app's language", () => {
    expect(rangeProblems([{ start: "10:00", end: "09:00" }], "0", t)).toEqual({ "0.0.end": "El fin debe ser posterior al inicio." });
    expect(rangeProblems([{ start: "09:00", end: "12:00" }, { start: "11:00", end: "13:00" }], "0", t))
      .toEqual({ "0.1.start": "Se solapa con otro tramo del mismo día." });
    expect(rangeProblems([{ start: "", end: "12:00" }], "1", t)).toEqual({ "1.0.start": "Escribe la hora como HH:MM." });
    expect(rangeProblems([{ start: "09:00", end: "12:00" }, { start: "12:00", end: "13:00" }], "0", t)).toEqual({});
  });
});
