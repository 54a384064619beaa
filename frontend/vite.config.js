import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|xml|webmanifest|map)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Writes `<file>.br` and `<file>.gz` next to every text file of the build, once, at build time: the web
 * process (web/frontend.py) serves them by the request's Accept-Encoding instead of compressing per request. */
function precompress() {
  let outDir = "dist";
  return {
    name: "clinic-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      for (const path of files(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const raw = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(raw, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
        }));
        writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
      }
    },
  };
}

/**
 * What a page load of each route needs before its JavaScript has run: the route's own chunks (not in the
 * entry) and the public data its first screen shows. Written to `dist/preloads.json`; the web process
 * (web/frontend.py) sends them as `Link: rel=preload/modulepreload` headers with that route's index.html,
 * so the browser asks for them at once, in parallel with the entry script, instead of in a waterfall
 * (entry → route chunk → session → lists). `data` URLs must be exactly the ones the route's queries ask.
 */
const EARLY_ROUTES = [
  { pattern: "^/book/?$", module: "src/features/booking/components/BookingPage.jsx",
    data: ["/api/clinics", "/api/services", "/api/doctors"] },
  { pattern: "^/appointments/?$", module: "src/features/my-appointments/components/MyAppointmentsPage.jsx", data: [] },
  { pattern: "^/appointments/\\d+/?$", module: "src/features/my-appointments/components/AppointmentPage.jsx", data: [] },
];
// With a readable CSRF cookie of a live access token the app's first request is always this one.
const SIGNED_IN_DATA = { cookie: "csrf_access_token", data: ["/api/me"] };

function routePreloads() {
  return {
    name: "clinic-route-preloads",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const entry = chunks.find((c) => c.isEntry);
      const inEntry = new Set([entry.fileName, ...entry.imports]);
      const closure = (chunk, out = new Set()) => {
        for (const name of [chunk.fileName, ...chunk.imports]) {
          if (out.has(name) || inEntry.has(name)) continue;
          out.add(name);
          const next = bundle[name];
          if (next && next !== chunk) closure(next, out);
        }
        return out;
      };
      const routes = EARLY_ROUTES.map(({ pattern, module, data }) => {
        const chunk = chunks.find((c) => c.facadeModuleId && c.facadeModuleId.endsWith(module));
        if (!chunk) throw new Error(`route preloads: no chunk for ${module}`);
        const files = [...closure(chunk)];
        const css = files.flatMap((f) => [...(bundle[f].viteMetadata?.importedCss || [])]);
        return { pattern, scripts: files.map((f) => `/${f}`), styles: css.map((f) => `/${f}`), data };
      });
      // The entry's own files first (index.html names them too, but only once it is parsed).
      const entryCss = [entry, ...entry.imports.map((f) => bundle[f])].flatMap((c) => [...(c.viteMetadata?.importedCss || [])]);
      const first = { scripts: [entry.fileName, ...entry.imports].map((f) => `/${f}`), styles: entryCss.map((f) => `/${f}`) };
      this.emitFile({ type: "asset", fileName: "preloads.json",
        source: JSON.stringify({ entry: first, routes, signed_in: SIGNED_IN_DATA }, null, 2) });
    },
  };
}

export default defineConfig({
  plugins: [react(), routePreloads(), precompress()],
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
  },
});
