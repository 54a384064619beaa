import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "../test/render.jsx";
import { MAX_PAGES, apiPath, getAllPages, nextLink } from "./pages.js";
import { getAppointments } from "./queries/get-appointments.js";

afterEach(() => vi.unstubAllGlobals());

const PUBLIC = "https://citas.example.org";
const next = (query) => ({ Link: `<${PUBLIC}/api/appointments?${query}>; rel="next"` });

describe("Link headers", () => {
  it("finds rel=next among other links and parameters", () => {
    expect(nextLink(null)).toBeNull();
    expect(nextLink('<https://x/api/a?cursor=1>; rel="prev"')).toBeNull();
    expect(nextLink('<https://x/api/a?c=0>; rel="prev", <https://x/api/a?c=2>; title="t"; rel="next"')).toBe("https://x/api/a?c=2");
    expect(nextLink("<https://x/api/a?c=2>; rel=next")).toBe("https://x/api/a?c=2");
  });

  it("turns the server's absolute link (under PUBLIC_URL, maybe below a path) into an API path", () => {
    expect(apiPath(`${PUBLIC}/api/appointments?from=2027-03-01&cursor=abc`)).toBe("/appointments?from=2027-03-01&cursor=abc");
    expect(apiPath("https://example.org/clinic/api/appointments?cursor=x")).toBe("/appointments?cursor=x");
    expect(() => apiPath("https://example.org/elsewhere")).toThrow();
  });
});

describe("getAllPages", () => {
  it("follows Link until none, keeping the server's order and every item", async () => {
    const pages = {
      "": [[{ id: 1 }, { id: 2 }], next("from=2027-03-01&clinic_id=3&cursor=p2")],
      p2: [[{ id: 3 }, { id: 4 }], next("from=2027-03-01&clinic_id=3&cursor=p3")],
      p3: [[{ id: 5 }], {}],
    };
    const fetch = fakeFetch({
      "GET /api/appointments": (url) => {
        const [body, headers] = pages[new URL(url, "http://h").searchParams.get("cursor") || ""];
        return [200, body, headers];
      },
    });
    vi.stubGlobal("fetch", fetch);
    const items = await getAppointments({ from: "2027-03-01", clinic_id: 3 });
    expect(items.map((a) => a.id)).toEqual([1, 2, 3, 4, 5]);
    expect(fetch.calls.map((c) => c.url)).toEqual([
      "/api/appointments?limit=500&from=2027-03-01&clinic_id=3",
      "/api/appointments?from=2027-03-01&clinic_id=3&cursor=p2",
      "/api/appointments?from=2027-03-01&clinic_id=3&cursor=p3",
    ]);
  });

  it("asks once when everything fits in a page", async () => {
    const fetch = fakeFetch({ "GET /api/appointments": [200, [{ id: 9 }]] });
    vi.stubGlobal("fetch", fetch);
    expect(await getAllPages("/appointments")).toEqual([{ id: 9 }]);
    expect(fetch.calls).toHaveLength(1);
  });

  it("fails, rather than showing part of the list, when a later page fails", async () => {
    const fetch = fakeFetch({
      "GET /api/appointments": (url) => (url.includes("cursor")
        ? [422, { error: { code: "validation_error", message: "bad", fields: { cursor: "is not a valid cursor" } } }]
        : [200, [{ id: 1 }], next("cursor=zz")]),
    });
    vi.stubGlobal("fetch", fetch);
    await expect(getAllPages("/appointments")).rejects.toMatchObject({ status: 422, fields: { cursor: "is not a valid cursor" } });
  });

  it("stops a chain that loops or never ends with an error", async () => {
    vi.stubGlobal("fetch", fakeFetch({ "GET /api/appointments": [200, [{ id: 1 }], next("cursor=same")] }));
    await expect(getAllPages("/appointments")).rejects.toMatchObject({ code: "incomplete_list" });
    let n = 0;
    const endless = fakeFetch({ "GET /api/appointments": () => [200, [{ id: n }], next(`cursor=${(n += 1)}`)] });
    vi.stubGlobal("fetch", endless);
    await expect(getAllPages("/appointments")).rejects.toMatchObject({ code: "incomplete_list" });
    expect(endless.calls).toHaveLength(MAX_PAGES);
  });
});
