import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useIdle } from "./idle.js";

function Probe({ enabled, onIdle }) {
  useIdle(enabled, 30, onIdle);
  return null;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("idle sign-out", () => {
  it("fires after 30 minutes without input, not before", () => {
    const onIdle = vi.fn();
    render(<Probe enabled onIdle={onIdle} />);
    act(() => vi.advanceTimersByTime(29 * 60 * 1000));
    expect(onIdle).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(2 * 60 * 1000));
    expect(onIdle).toHaveBeenCalled();
  });

  it("is postponed by activity", () => {
    const onIdle = vi.fn();
    render(<Probe enabled onIdle={onIdle} />);
    act(() => vi.advanceTimersByTime(20 * 60 * 1000));
    act(() => { window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" })); });
    act(() => vi.advanceTimersByTime(20 * 60 * 1000));
    expect(onIdle).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(11 * 60 * 1000));
    expect(onIdle).toHaveBeenCalled();
  });

  it("does nothing for an anonymous visitor", () => {
    const onIdle = vi.fn();
    render(<Probe enabled={false} onIdle={onIdle} />);
    act(() => vi.advanceTimersByTime(60 * 60 * 1000));
    expect(onIdle).not.toHaveBeenCalled();
  });
});
