/**
 * Live updates: ONE `GET /api/events` stream per tab, shared by every screen that listens.
 *
 * Read with fetch (not EventSource) so it goes through the app's one HTTP client: cookie session or, on a
 * separate origin, the Bearer token in memory, and the refresh-then-retry on a 401. The stream opens with
 * the first listener and closes with the last. When it drops (network, server restart, the access token's
 * expiry ends it on purpose) it reconnects after 1 s, then 2, 4 … up to 15 s, and tells listeners
 * `{type: "reconnected"}`: changes made while it was away were not delivered, so they refetch.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "./api.js";

const listeners = new Set();
let controller = null;
let retryTimer = null;
let failures = 0;
let everConnected = false;

const MAX_DELAY_MS = 15000;

/** Split a server-sent-event text buffer into complete events; returns [events, rest]. */
export function parseEvents(buffer) {
  const events = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let type = "message";
    const data = [];
    let comment = null;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) comment = line.slice(1).trim();
      else if (line.startsWith("event:")) type = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) {
      let parsed = null;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch {
        parsed = null;
      }
      events.push({ type, data: parsed });
    } else if (comment === "connected") {
      events.push({ type: "connected", data: null });
    }
  }
  return [events, rest];
}

function emit(event) {
  for (const listener of [...listeners]) listener(event);
}

function scheduleReconnect() {
  if (!listeners.size || retryTimer) return;
  const delay = Math.min(1000 * 2 ** failures, MAX_DELAY_MS);
  failures += 1;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, delay);
}

async function connect() {
  if (controller || !listeners.size) return;
  const mine = new AbortController();
  controller = mine;
  try {
    const res = await api("/events", { as: "response", signal: mine.signal, accept: "text/event-stream" });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const [events, rest] = parseEvents(buffer);
      buffer = rest;
      for (const event of events) {
        if (event.type === "connected") {
          failures = 0;
          if (everConnected) emit({ type: "reconnected", data: null });
          everConnected = true;
        } else {
          emit(event);
        }
      }
    }
  } catch {
    // dropped, refused or aborted: handled below
  }
  if (controller === mine) controller = null;
  if (!mine.signal.aborted) scheduleReconnect();
}

function disconnect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (controller) controller.abort();
  controller = null;
  everConnected = false;
  failures = 0;
}

/** Listen to the tab's live stream; returns the function that stops listening. */
export function subscribe(listener) {
  listeners.add(listener);
  if (listeners.size === 1) connect();
  return () => {
    listeners.delete(listener);
    if (!listeners.size) disconnect();
  };
}

const REFRESH_ON = new Set(["appointment", "resync", "reconnected"]);

/**
 * Keep the appointment lists (and the free slots) of this screen current: refetch them on every change the
 * server reports, a burst of changes coalesced into one refetch.
 */
export function useLiveAppointments() {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer = null;
    const unsubscribe = subscribe((event) => {
      if (!REFRESH_ON.has(event.type) || timer) return;
      timer = setTimeout(() => {
        timer = null;
        queryClient.invalidateQueries({ queryKey: ["appointments"] });
        queryClient.invalidateQueries({ queryKey: ["slots"] });
      }, 100);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [queryClient]);
}
