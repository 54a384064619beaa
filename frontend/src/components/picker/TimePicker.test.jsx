import { act, configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderWith } from "../../test/render.jsx";
import { TimePicker } from "./TimePicker.jsx";

const MADRID = "Europe/Madrid";
configure({ asyncUtilTimeout: 5000 }); // a shared, busy machine: the first render can take over a second

/** Slots of a 20-minute service, 09:00–10:00 on the given Madrid dates (winter time, +01:00). */
function twentyMinutes(dates) {
  return dates.flatMap((d) => ["09:00", "09:20", "09:40"].map((hhmm) => {
    const [h, m] = hhmm.split(":").map(Number);
    const end = `${String(h + (m + 20 >= 60 ? 1 : 0)).padStart(2, "0")}:${String((m + 20) % 60).padStart(2, "0")}`;
    return { starts_at: `${d}T${hhmm}:00+01:00`, ends_at: `${d}T${end}:00+01:00` };
  }));
}

function answer(slots) {
  return fakeFetch({ "GET /api/doctors/3/slots": [200, { timezone: MADRID, slots }] });
}

function column(name) {
  return screen.getByRole("region", { name });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("TimePicker", { timeout: 30000 }, () => {
  it("shows day columns from the clinic's today with full HH:MM labels of a 20-minute service", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z")); // Monday 11 Jan, 09:00 in Madrid
    const fetch = answer(twentyMinutes(["2027-01-12", "2027-01-14"]));
    vi.stubGlobal("fetch", fetch);
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />);
    const tuesday = await screen.findByRole("region", { name: "mar 12 de ene" });
    expect(within(tuesday).getAllByRole("button").map((b) => b.textContent)).toEqual(
      ["mar 12 de ene, 09:00", "mar 12 de ene, 09:20", "mar 12 de ene, 09:40"]);
    // Five columns, from today (no past days), the empty ones said so.
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(
      ["lun 11 de ene", "mar 12 de ene", "mié 13 de ene", "jue 14 de ene", "vie 15 de ene"]);
    expect(within(column("lun 11 de ene")).getByText("Sin horas libres")).toBeInTheDocument();
    // One request for 62 days (the API's maximum), from the clinic's today.
    expect(fetch.calls.map((c) => c.url)).toContain("/api/doctors/3/slots?service_id=5&from=2027-01-11&to=2027-03-13");
    // The browser (Los Angeles in these tests) is elsewhere: the clinic's zone is named.
    expect(screen.getByText("Horas de la clínica (Europe/Madrid)")).toBeInTheDocument();
    // The jump names the first free time.
    expect(screen.getByRole("button", { name: "Primera hora libre: mar 12 de ene 09:00" })).toBeInTheDocument();
  });

  it("moves with the arrow keys between times and days, and Enter picks", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    vi.stubGlobal("fetch", answer(twentyMinutes(["2027-01-12", "2027-01-14"])));
    const onPick = vi.fn();
    const user = userEvent.setup({ advanceTimers: () => {} });
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={onPick} />, { locale: "en" });
    const first = await screen.findByRole("button", { name: "Tue 12 Jan, 09:00" });
    // One tab stop for the whole grid: the first time.
    expect(first).toHaveAttribute("tabindex", "0");
    expect(screen.getByRole("button", { name: "Tue 12 Jan, 09:20" })).toHaveAttribute("tabindex", "-1");
    act(() => first.focus());
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("button", { name: "Tue 12 Jan, 09:20" })).toHaveFocus();
    await user.keyboard("{ArrowRight}"); // Wednesday is empty: to Thursday, the same time
    expect(screen.getByRole("button", { name: "Thu 14 Jan, 09:20" })).toHaveFocus();
    await user.keyboard("{End}");
    expect(screen.getByRole("button", { name: "Thu 14 Jan, 09:40" })).toHaveFocus();
    await user.keyboard("{ArrowLeft}{Home}");
    expect(screen.getByRole("button", { name: "Tue 12 Jan, 09:00" })).toHaveFocus();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(onPick).toHaveBeenCalledWith({ starts_at: "2027-01-12T09:20:00+01:00", ends_at: "2027-01-12T09:40:00+01:00" }, MADRID);
  });

  it("jumps to the next free time weeks ahead and focuses it", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    vi.stubGlobal("fetch", answer(twentyMinutes(["2027-02-02"])));
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />, { locale: "en" });
    fireEvent.click(await screen.findByRole("button", { name: "Next available: Tue 2 Feb 09:00" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Tue 2 Feb, 09:00" })).toHaveFocus());
    expect(screen.getAllByRole("heading", { level: 3 })[0]).toHaveTextContent("Tue 2 Feb");
    expect(screen.getByRole("button", { name: /Earlier days/ })).toBeEnabled();
  });

  it("opens at the day of the next free time when the first days have none", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    vi.stubGlobal("fetch", answer(twentyMinutes(["2027-01-20"])));
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />, { locale: "en" });
    expect(await screen.findByRole("button", { name: "Wed 20 Jan, 09:00" })).toBeInTheDocument();
    expect(screen.getAllByRole("heading", { level: 3 })[0]).toHaveTextContent("Wed 20 Jan");
    expect(screen.getByRole("button", { name: /Earlier days/ })).toBeEnabled(); // today is still one click away
  });

  it("on the day summer time ends, the repeated hour is shown twice, each named; on the day it starts, no 02:xx", async () => {
    vi.setSystemTime(new Date("2027-03-27T08:00:00Z")); // Saturday 27 March
    const slots = [
      { starts_at: "2027-03-28T01:30:00+01:00", ends_at: "2027-03-28T03:00:00+02:00" },
      { starts_at: "2027-03-28T03:00:00+02:00", ends_at: "2027-03-28T03:30:00+02:00" },
    ];
    vi.stubGlobal("fetch", answer(slots));
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />);
    const sunday = await screen.findByRole("region", { name: "dom 28 de mar" });
    expect(within(sunday).getAllByRole("button").map((b) => b.textContent.split(", ")[1])).toEqual(["01:30", "03:00"]);
  });

  it("on the day summer time ends, the repeated hour is offered once per instant and says which", async () => {
    vi.setSystemTime(new Date("2027-10-30T08:00:00Z"));
    const slots = ["2027-10-31T01:30:00+02:00", "2027-10-31T02:00:00+02:00", "2027-10-31T02:30:00+02:00",
      "2027-10-31T02:00:00+01:00", "2027-10-31T02:30:00+01:00", "2027-10-31T03:00:00+01:00"]
      .map((s) => ({ starts_at: s, ends_at: s }));
    vi.stubGlobal("fetch", answer(slots));
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />, { locale: "en" });
    const sunday = await screen.findByRole("region", { name: "Sun 31 Oct" });
    expect(within(sunday).getAllByRole("button").map((b) => b.textContent.split(", ")[1])).toEqual(
      ["01:30", "02:00 CEST", "02:30 CEST", "02:00 CET", "02:30 CET", "03:00"]);
  });

  it("focuses the next free time when it is already on screen", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    vi.stubGlobal("fetch", answer(twentyMinutes(["2027-01-12"])));
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />, { locale: "en" });
    fireEvent.click(await screen.findByRole("button", { name: "Next available: Tue 12 Jan 09:00" }));
    expect(screen.getByRole("button", { name: "Tue 12 Jan, 09:00" })).toHaveFocus();
  });

  it("shows one day at a time on a phone, and the arrow keys page to the next day", async () => {
    vi.setSystemTime(new Date("2027-01-11T08:00:00Z"));
    vi.stubGlobal("matchMedia", (query) => ({ matches: query.includes("max-width"), addEventListener() {}, removeEventListener() {} }));
    vi.stubGlobal("fetch", answer(twentyMinutes(["2027-01-11", "2027-01-12"].map((d) => d)).filter((s) => !s.starts_at.startsWith("2027-01-11T09:00"))));
    const user = userEvent.setup({ advanceTimers: () => {} });
    renderWith(<TimePicker doctorId={3} serviceId={5} zone={MADRID} onPick={() => {}} />, { locale: "en" });
    const first = await screen.findByRole("button", { name: "Mon 11 Jan, 09:20" });
    expect(screen.getAllByRole("heading", { level: 3 })).toHaveLength(1);
    act(() => first.focus());
    await user.keyboard("{ArrowRight}");
    await waitFor(() => expect(screen.getByRole("button", { name: "Tue 12 Jan, 09:20" })).toHaveFocus());
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Tue 12 Jan"]);
    expect(screen.getByRole("button", { name: /Previous day/ })).toBeEnabled();
  });
});
