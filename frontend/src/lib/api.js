/**
 * The one HTTP client of the app.
 *
 * Same origin (the web process serves the app at / and the API at /api): auth lives in httpOnly
 * cookies set by the API; this module only echoes the readable CSRF cookies back as X-CSRF-TOKEN, and
 * on a 401 tries one refresh then retries. Tokens in JSON bodies are ignored.
 *
 * Separate origin (a static site built with VITE_API_URL): the API's cookies would be third-party, so
 * the tokens from the JSON bodies are kept in this module's memory only, sent as Bearer, and lost on
 * reload (sign in again). Never in localStorage/sessionStorage either way.
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
const TOKEN_PATHS = new Set(["/auth/login", "/auth/register", "/auth/refresh"]);
let onSessionLost = () => {};
let refreshing = null;
let base = "";
const memory = { access: null, refresh: null };

/** `apiBase`: the API's origin when it is not this page's (VITE_API_URL); "" for same origin. */
export function configureApi({ apiBase = "" } = {}) {
  base = apiBase.replace(/\/+$/, "");
  memory.access = null;
  memory.refresh = null;
}

const crossOrigin = () => base !== "";

function keepTokens(body) {
  if (crossOrigin() && body && typeof body.access_token === "string") {
    memory.access = body.access_token;
    memory.refresh = body.refresh_token ?? memory.refresh;
  }
}

export function forgetTokens() {
  memory.access = null;
  memory.refresh = null;
}

/** The refresh token to revoke at sign-out (cross-origin mode; cookies carry it otherwise). */
export const refreshTokenForLogout = () => memory.refresh;

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
  if (crossOrigin()) return Boolean(memory.access || memory.refresh);
  return Boolean(readCookie("csrf_access_token") || readCookie("csrf_refresh_token"));
}

/** Rotate the refresh cookie once, however many requests hit a 401 at the same time. */
export function refreshSession() {
  if (!refreshing) {
    const cross = crossOrigin();
    const proof = cross ? memory.refresh : readCookie("csrf_refresh_token");
    const headers = { Accept: "application/json", ...(cross ? { Authorization: `Bearer ${proof}` } : { "X-CSRF-TOKEN": proof }) };
    refreshing = (proof
      ? fetch(`${base}/api/auth/refresh`, { method: "POST", credentials: cross ? "omit" : "same-origin", headers })
        .then(async (res) => {
          if (res.ok && cross) keepTokens(await res.json());
          return res.ok;
        }, () => false)
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

function send(path, method, body, signal, accept = "application/json") {
  const headers = { Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (crossOrigin()) {
    if (memory.access) headers.Authorization = `Bearer ${memory.access}`;
  } else if (UNSAFE.has(method)) {
    const csrf = readCookie("csrf_access_token");
    if (csrf) headers["X-CSRF-TOKEN"] = csrf;
  }
  return fetch(`${base}/api${path}`, {
    method,
    headers,
    credentials: crossOrigin() ? "omit" : "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
}

/**
 * Call the API. `as`: "json" (default), "blob" or "response".
 * When the access cookie has expired (the readable CSRF twin expires with it) a refresh is tried
 * first, so the browser does not log an avoidable 401.
 */
export async function api(path, { method = "GET", body, as = "json", auth = true, signal, accept } = {}) {
  // Sign-in, sign-up, refresh and sign-out never trigger a refresh; "sign out everywhere" needs a live session.
  const isAuthCall = path.startsWith("/auth/") && path !== "/auth/logout-all";
  if (auth && !isAuthCall && !crossOrigin() && !readCookie("csrf_access_token") && readCookie("csrf_refresh_token")) {
    await refreshSession();
  }
  let res;
  try {
    res = await send(path, method, body, signal, accept);
    if (res.status === 401 && auth && !isAuthCall) {
      if (await refreshSession()) {
        res = await send(path, method, body, signal, accept);
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
  const data = text ? JSON.parse(text) : null;
  if (TOKEN_PATHS.has(path)) keepTokens(data);
  return data;
}

export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
