import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "../test/render.jsx";
import { api, configureApi, hasSessionCookies, setSessionLostHandler } from "./api.js";

afterEach(() => vi.unstubAllGlobals());

describe("API client", () => {
  it("sends the CSRF cookie as X-CSRF-TOKEN on writes, with same-origin credentials", async () => {
    document.cookie = "csrf_access_token=abc123; path=/";
    const fetch = fakeFetch({ "POST /api/appointments": [201, { id: 1 }] });
    vi.stubGlobal("fetch", fetch);
    expect(await api("/appointments", { method: "POST", body: { doctor_id: 1 } })).toEqual({ id: 1 });
    const { init } = fetch.calls[0];
    expect(init.headers["X-CSRF-TOKEN"]).toBe("abc123");
    expect(init.credentials).toBe("same-origin");
    expect(init.headers.Authorization).toBeUndefined();
  });

  it("refreshes once on a 401 (with the refresh CSRF token) and retries", async () => {
    document.cookie = "csrf_access_token=old; path=/";
    document.cookie = "csrf_refresh_token=r1; path=/";
    let first = true;
    const fetch = fakeFetch({
      "GET /api/me": () => (first ? ((first = false), [401, { error: { code: "token_expired", message: "expired" } }]) : [200, { id: 7 }]),
      "POST /api/auth/refresh": [200, { access_token: "ignored", refresh_token: "ignored" }],
    });
    vi.stubGlobal("fetch", fetch);
    expect(await api("/me")).toEqual({ id: 7 });
    const refresh = fetch.calls.find((c) => c.url === "/api/auth/refresh");
    expect(refresh.init.headers["X-CSRF-TOKEN"]).toBe("r1");
    expect(fetch.calls.map((c) => c.url)).toEqual(["/api/me", "/api/auth/refresh", "/api/me"]);
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it("gives up after a failed refresh and reports the session lost", async () => {
    document.cookie = "csrf_access_token=old; path=/";
    document.cookie = "csrf_refresh_token=r1; path=/";
    const lost = vi.fn();
    setSessionLostHandler(lost);
    vi.stubGlobal("fetch", fakeFetch({
      "GET /api/me": [401, { error: { code: "invalid_token", message: "revoked" } }],
      "POST /api/auth/refresh": [401, { error: { code: "invalid_token", message: "revoked" } }],
    }));
    await expect(api("/me")).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("turns the error shape into code, message and fields", async () => {
    vi.stubGlobal("fetch", fakeFetch({
      "POST /api/auth/register": [409, { error: { code: "email_taken", message: "Taken", fields: { email: "already registered" } } }],
    }));
    await expect(api("/auth/register", { method: "POST", body: {} })).rejects.toMatchObject({
      status: 409, code: "email_taken", fields: { email: "already registered" },
    });
  });

  it("knows there is no session without the readable CSRF cookies (no anonymous 401 on load)", () => {
    expect(hasSessionCookies()).toBe(false);
    document.cookie = "csrf_refresh_token=r; path=/";
    expect(hasSessionCookies()).toBe(true);
  });
});

describe("API client on a separate origin (static site with VITE_API_URL)", () => {
  afterEach(() => configureApi({ apiBase: "" }));

  it("keeps the tokens in memory only, sends them as Bearer and refreshes with the refresh token", async () => {
    configureApi({ apiBase: "https://api.example.com/" });
    let expired = false;
    const fetch = fakeFetch({
      "POST https://api.example.com/api/auth/login": [200, { user: { id: 1 }, access_token: "A1", refresh_token: "R1" }],
      "GET https://api.example.com/api/me": (url, init) => (expired && init.headers.Authorization === "Bearer A1"
        ? [401, { error: { code: "token_expired", message: "expired" } }] : [200, { id: 1 }]),
      "POST https://api.example.com/api/auth/refresh": [200, { access_token: "A2", refresh_token: "R2" }],
    });
    vi.stubGlobal("fetch", fetch);
    await api("/auth/login", { method: "POST", body: { email: "a@b.c", password: "x" } });
    expect(hasSessionCookies()).toBe(true);
    await api("/me");
    expect(fetch.calls[1].init.headers.Authorization).toBe("Bearer A1");
    expect(fetch.calls[1].init.credentials).toBe("omit");
    expired = true;
    expect(await api("/me")).toEqual({ id: 1 });
    const refresh = fetch.calls.find((c) => c.url.endsWith("/auth/refresh"));
    expect(refresh.init.headers.Authorization).toBe("Bearer R1");
    expect(fetch.calls.at(-1).init.headers.Authorization).toBe("Bearer A2");
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);
    expect(document.cookie).toBe("");
  });
});
