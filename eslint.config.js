// ESLint for the coding screen's ES modules and their unit tests; run by `make lint` and
// `make test` (npm ci installs it into ./node_modules from package-lock.json).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["src/samspill/web/static/**/*.js", "tests/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022, // what the coding screen's browsers run: class fields, top-level await
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      // What the code already keeps to, so that it stays so.
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      "object-shorthand": "error",
      curly: ["error", "multi-line"], // `if (x) return;` on one line; braces once it spans lines
      "no-shadow": "error",
      "no-implicit-coercion": "error",
      "no-throw-literal": "error",
      "no-promise-executor-return": "error",
      "no-unused-expressions": "error",
      "no-console": "error", // the coding screen speaks through its toast and status line
      // Not enabled, as the code's style is deliberate: consistent-return (`return toast(…)`
      // ends a handler early), no-await-in-loop (the outbox and the pop-up go one at a time),
      // no-nested-ternary (two three-way comparisons).
    },
  },
];
