// ESLint: JavaScript and React rules, and bulletproof-react's boundaries: features do not import one another;
// shared code (components, lib) imports no feature and not the app shell, which is what composes them.
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

const FEATURES = readdirSync(new URL("./src/features", import.meta.url)); // every folder is a feature

/** An import path that climbs out of `feature` into another feature's folder. */
const otherFeature = (feature) =>
  `^(\\.\\./)+(features/)?(?!${feature}/)(${FEATURES.join("|")})(/|$)`;

const featureBoundaries = FEATURES.map((feature) => ({
  files: [`src/features/${feature}/**/*.{js,jsx}`],
  rules: {
    "no-restricted-imports": ["error", { patterns: [{
      regex: otherFeature(feature),
      message: "Features do not import one another: move what they share to src/components or src/lib.",
    }] }],
  },
}));

export default [
  { ignores: ["dist/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["**/*.{js,jsx}"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.browser },
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    settings: { react: { version: "19" } },
    plugins: { react, "react-hooks": reactHooks },
    rules: {
      ...react.configs.recommended.rules,
      ...react.configs["jsx-runtime"].rules,
      "react/prop-types": "off",
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...featureBoundaries,
  {
    files: ["src/components/**/*.{js,jsx}", "src/lib/**/*.{js,jsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{
        regex: "(^|/)(features|app)/",
        message: "Shared code does not depend on features or on the app shell.",
      }] }],
    },
  },
  {
    files: ["**/*.test.{js,jsx}", "src/test/**", "vite.config.js", "vitest.config.js", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node, ...globals.vitest } },
  },
];
