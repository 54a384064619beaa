/**
 * The one HTTP client of the app. Auth lives in httpOnly cookies set by the API; this module only
 * echoes the readable CSRF cookies back as X-CSRF-TOKEN, and on a 401 tries one refresh then retries.
 * Tokens found in JSON bodies are ignored on purpose: they must never reach JS-readable storage.
 */

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || (status === 0 ? "network_error" : "http_error");
    this.fields = error?.fields || {};
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let onSessionLost = () => {};
let refreshing = null;

export function setSessionLostHandler(handler) {
  onSessionLost = handler;
}

export function readCookie(name) {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

/** True when the browser still holds a (possibly refreshable) session: avoids an anonymous 401. */
export function hasSessionCookies() {
  return Boolean(readCookie("csrf_access_token") || readCookie("csrf_refresh_token"));
}

/** Rotate the refresh cookie once, however many requests hit a 401 at the same time. */
export function refreshSession() {
  if (!refreshing) {
    const csrf = readCookie("csrf_refresh_token");
    refreshing = (csrf
      ? fetch("/api/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRF-TOKEN": csrf, Accept: "application/json" },
        }).then((res) => res.ok, () => false)
      : Promise.resolve(false)
    ).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function toError(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return new ApiError(res.status, body?.error);
}

function send(path, method, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) {
    const csrf = readCookie("csrf_access_token");
    if (csrf) headers["X-CSRF-TOKEN"] = csrf;
  }
  return fetch(`/api${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Call the API. `as`: "json" (default), "blob" or "response".
 * When the access cookie has expired (the readable CSRF twin expires with it) a refresh is tried
 * first, so the browser does not log an avoidable 401.
 */
export async function api(path, { method = "GET", body, as = "json", auth = true } = {}) {
  const isAuthCall = path.startsWith("/auth/");
  if (auth && !isAuthCall && !readCookie("csrf_access_token") && readCookie("csrf_refresh_token")) {
    await refreshSession();
  }
  let res;
  try {
    res = await send(path, method, body);
    if (res.status === 401 && auth && !isAuthCall) {
      if (await refreshSession()) {
        res = await send(path, method, body);
      }
      if (res.status === 401) {
        onSessionLost();
      }
    }
  } catch {
    throw new ApiError(0, null);
  }
  if (!res.ok) throw await toError(res);
  if (as === "response") return res;
  if (as === "blob") return res.blob();
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Lists come as arrays or as {items: [...]}: accept both. */
export function asList(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
