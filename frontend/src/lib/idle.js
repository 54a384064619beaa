import { useEffect, useRef } from "react";

const KEY = "clinic.lastActivity"; // a timestamp shared by tabs, not a credential
const EVENTS = ["pointerdown", "keydown", "wheel", "touchstart", "mousemove"];

function stamp() {
  try {
    window.localStorage.setItem(KEY, String(Date.now()));
  } catch {
    /* ignore */
  }
}

function lastActivity(fallback) {
  try {
    return Number(window.localStorage.getItem(KEY)) || fallback;
  } catch {
    return fallback;
  }
}

/** Calls onIdle once after `minutes` without input in any tab of the app. */
export function useIdle(enabled, minutes, onIdle) {
  const callback = useRef(onIdle);
  callback.current = onIdle;
  useEffect(() => {
    if (!enabled) return undefined;
    let local = Date.now();
    let throttle = 0;
    stamp();
    const touch = () => {
      local = Date.now();
      if (local - throttle > 5000) {
        throttle = local;
        stamp();
      }
    };
    EVENTS.forEach((name) => window.addEventListener(name, touch, { passive: true }));
    const timer = window.setInterval(() => {
      const last = Math.max(local, lastActivity(local));
      if (Date.now() - last > minutes * 60 * 1000) callback.current();
    }, 15000);
    return () => {
      EVENTS.forEach((name) => window.removeEventListener(name, touch));
      window.clearInterval(timer);
    };
  }, [enabled, minutes]);
}
