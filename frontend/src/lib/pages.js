/**
 * Paged lists: the API answers one page and, when more rows match, a `Link: <URL>; rel="next"` header
 * (RFC 8288) naming the next one with the same filters. `getAllPages` follows it until none comes back, so a
 * screen never shows a list cut at the page size without saying so.
 */
import { ApiError, api } from "./api.js";

/** A runaway chain (a server bug, a loop) stops with an error instead of spinning or showing part of a list. */
export const MAX_PAGES = 200;

/** The target of the `rel="next"` link in a Link header, or null. */
export function nextLink(header) {
  if (!header) return null;
  for (const [, target, params] of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = params.match(/;\s*rel\s*=\s*"?([^";,]*)"?/i);
    if (rel && rel[1].toLowerCase().split(/\s+/).includes("next")) return target;
  }
  return null;
}

/**
 * The API path (what `api()` takes, after `/api`) of a URL the server gave. The server writes links under
 * PUBLIC_URL; the path and query are what matter, whichever origin the app talks to.
 */
export function apiPath(url) {
  const parsed = new URL(url, window.location.href);
  const at = parsed.pathname.indexOf("/api/");
  if (at < 0) throw new ApiError(0, { code: "incomplete_list", message: `Not an API link: ${url}` });
  return parsed.pathname.slice(at + "/api".length) + parsed.search;
}

/** Every item of a paged list, starting at `path` (under /api) and following `Link: rel="next"`. */
export async function getAllPages(path) {
  const items = [];
  const visited = new Set();
  for (let next = path; next; ) {
    if (visited.has(next) || visited.size >= MAX_PAGES) {
      throw new ApiError(0, { code: "incomplete_list", message: "The list did not end; reload the page." });
    }
    visited.add(next);
    const res = await api(next, { as: "response" });
    const text = await res.text();
    items.push(...JSON.parse(text)); // each page is a JSON array (../shared/API.md)
    const link = nextLink(res.headers.get("Link"));
    next = link && apiPath(link);
  }
  return items;
}
