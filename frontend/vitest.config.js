import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The browser of these tests lives in Los Angeles while the clinics are in Madrid: every time on
// screen must still be the clinic's wall-clock time (see src/lib/tz.js).
process.env.TZ = "America/Los_Angeles";

export default defineConfig({
  plugins: [react()],
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.js"],
    css: false,
    env: { TZ: "America/Los_Angeles" },
    // Lazily imported screens (the calendar chunk) take seconds to transform on a busy shared machine.
    testTimeout: 20000,
  },
});
