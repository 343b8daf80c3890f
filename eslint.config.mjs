import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The rooms of the app and what each may not import (architecture.md says why). */
const server = ["audit", "jobs", "http", "functions", "openapi", "graph"];
const room = (name, forbidden, extra = []) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "warn",
      {
        paths: extra.map((pkg) => ({ name: pkg, message: `src/${name} knows nothing of ${pkg}.` })),
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join("|")})(/|$)`,
            message: `src/${name} may not import this room (see architecture.md).`,
          },
          { regex: "^(\\.\\./)+(test|sandbox|scripts|bench)/", message: "The app never imports the local tools." },
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      "test-artifacts/**",
      ".bicep/**",
      ".tools/**",
      "src/viewer/assets/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      eqeqeq: ["error", "smart"],
      "no-console": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // A file does one job, a function one step: the sizes CONVENTIONS.md asks for, counted as wc counts.
    files: ["src/**/*.ts", "sandbox/**/*.ts"],
    rules: {
      "max-lines": ["warn", { max: 300, skipBlankLines: false, skipComments: false }],
      "max-lines-per-function": ["warn", { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
  room(
    "graph",
    ["audit", "jobs", "http", "functions", "openapi", "viewer", "services", "identity"],
    ["@azure/functions", "@azure/data-tables"],
  ),
  room("audit", ["jobs", "http", "functions", "openapi", "viewer", "services"], ["@azure/functions"]),
  room(
    "jobs",
    ["audit", "http", "functions", "openapi", "viewer", "services"],
    ["@azure/functions", "@azure/data-tables"],
  ),
  room("http", ["functions", "openapi", "viewer"], ["@azure/data-tables"]),
  room(
    "openapi",
    ["audit", "jobs", "http", "functions", "viewer", "services"],
    ["@azure/functions", "@azure/data-tables"],
  ),
  room("functions", ["viewer"], ["@azure/data-tables"]),
  room("contract", [...server, "viewer", "services", "config", "settings", "errors", "validation", "identity"]),
  // The viewer is browser code: it talks to the API, and shares only src/contract with the server.
  room("viewer", [...server, "services", "config", "settings", "errors", "validation", "identity"]),
  {
    // The sandbox (npm start) is what the tests stand on; it never leans on them.
    files: ["sandbox/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "warn",
        { patterns: [{ regex: "^(\\.\\./)+(test|bench)/", message: "sandbox/ never imports the tests or benches." }] },
      ],
    },
  },
  {
    // Tests read loosely typed JSON answers.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
