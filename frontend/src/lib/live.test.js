import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEvents, subscribe } from "./live.js";

const streamOf = (chunks) => new ReadableStream({
  start(controller) {
    for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
  },
});

describe("parseEvents", () => {
  it("returns complete events and keeps a partial one for the next chunk", () => {
    const [events, rest] = parseEvents('retry: 2000\n: connected\n\nevent: appointment\nid: 3\ndata: {"id":7,"status":"booked"}\n\nevent: appo');
    expect(events).toEqual([{ type: "connected", data: null }, { type: "appointment", data: { id: 7, status: "booked" } }]);
    expect(rest).toBe("event: appo");
  });

  it("ignores heartbeats and reads CRLF line ends", () => {
    const [events] = parseEvents(': keep-alive\r\n\r\nevent: resync\r\ndata: {}\r\n\r\n');
    expect(events).toEqual([{ type: "resync", data: {} }]);
  });
});

describe("subscribe", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("opens one stream for every listener of the tab and hands each event to all of them", async () => {
    const fetch = vi.fn(async () => ({
      ok: true, status: 200,
      body: streamOf([": connected\n\n", 'event: appointment\ndata: {"id":1,"status":"cancel', 'led"}\n\n']),
    }));
    vi.stubGlobal("fetch", fetch);
    const first = [];
    const second = [];
    const stopFirst = subscribe((e) => first.push(e));
    const stopSecond = subscribe((e) => second.push(e));
    await vi.waitFor(() => expect(second).toHaveLength(1));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe("/api/events");
    expect(fetch.mock.calls[0][1].headers.Accept).toBe("text/event-stream");
    expect(first).toEqual([{ type: "appointment", data: { id: 1, status: "cancelled" } }]);
    stopFirst();
    stopSecond();
  });

  it("reconnects when the stream drops and tells listeners to refetch what they missed", async () => {
    let opened = 0;
    const fetch = vi.fn(async () => {
      opened += 1;
      // The first stream connects and then ends (a dropped connection); the second stays.
      return { ok: true, status: 200, body: opened === 1 ? new ReadableStream({
        start(controller) { controller.enqueue(new TextEncoder().encode(": connected\n\n")); controller.close(); },
      }) : new ReadableStream({
        start(controller) { controller.enqueue(new TextEncoder().encode(": connected\n\n")); },
      }) };
    });
    vi.stubGlobal("fetch", fetch);
    const seen = [];
    const stop = subscribe((e) => seen.push(e.type));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2), { timeout: 3000 });
    await vi.waitFor(() => expect(seen).toEqual(["reconnected"]));
    stop();
  });
});
