import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The rooms of the app and what each may not import (architecture.md draws the map). Imports are relative, so a
 * room's name is matched after any "./" or "../": "../audit/query", "../../audit" and "./audit/recorder" alike.
 */
const roomNames = (names) => `^\\.\\.?/(\\.\\./)*(${names.join("|")})(/|$)`;
const localTools = {
  regex: "^(\\.\\./)+(test|sandbox|scripts|bench)/",
  message: "The app never imports the local tools.",
};
/** The audit's folders: outside its folder, each is used through its index.ts, its one public surface. */
const auditFolders = [
  "store",
  "snapshot",
  "recorder",
  "indexes",
  "summaries",
  "privacy",
  "redaction",
  "events",
  "read",
];
const auditSurfaces = {
  regex: `^(\\.\\.?/)+((src/)?audit/)?(${auditFolders.join("|")})/`,
  message: "Outside its folder, a folder of src/audit is used through its index.ts (its one public surface).",
};
/** Only the store speaks to Table Storage: it holds the TableClients and commits every row written. */
const tablesMessage =
  "Only src/audit/store holds a TableClient or writes a row: ask the store for what you mean (its index.ts lists it); odata comes from there too.";
const rooms = [
  {
    name: "graph",
    files: ["src/graph/**/*.ts"],
    notFrom: ["audit", "jobs", "http", "functions", "openapi", "viewer", "contract", "services", "identity"],
    packages: ["@azure/functions", "@azure/data-tables"],
  },
  {
    name: "audit",
    files: ["src/audit/**/*.ts"],
    ignores: ["src/audit/store/**"],
    notFrom: ["jobs", "http", "functions", "openapi", "viewer", "services"],
    packages: ["@azure/functions", "@azure/data-tables"],
  },
  {
    // The audit's store: the one door to Table Storage.
    name: "audit",
    files: ["src/audit/store/**/*.ts"],
    notFrom: ["jobs", "http", "functions", "openapi", "viewer", "services"],
    packages: ["@azure/functions"],
  },
  {
    // The composition root builds the store from the settings; it never holds a TableClient itself.
    name: "composition root",
    files: ["src/services.ts", "src/identity.ts", "src/index.ts"],
    notFrom: [],
    packages: ["@azure/data-tables"],
  },
  {
    name: "jobs",
    files: ["src/jobs/**/*.ts"],
    notFrom: ["audit", "http", "functions", "openapi", "viewer", "services"],
    packages: ["@azure/functions", "@azure/data-tables"],
  },
  {
    name: "http",
    files: ["src/http/**/*.ts"],
    notFrom: ["functions", "openapi", "viewer"],
    packages: ["@azure/data-tables"],
  },
  {
    name: "openapi",
    files: ["src/openapi/**/*.ts"],
    notFrom: ["audit", "jobs", "http", "functions", "viewer", "services"],
    packages: ["@azure/functions", "@azure/data-tables"],
  },
  {
    name: "functions",
    files: ["src/functions/**/*.ts"],
    notFrom: ["viewer"],
    packages: ["@azure/data-tables"],
    extra: [{ regex: "^\\./", message: "A function file never imports another; shared pieces live in src/http." }],
  },
  {
    // Named telemetry events: formatted here, sent through the invocation's context by whoever emits them.
    name: "telemetry",
    files: ["src/telemetry/**/*.ts"],
    notFrom: ["audit", "jobs", "http", "functions", "openapi", "viewer", "services", "identity", "graph"],
    packages: ["@azure/functions", "@azure/data-tables"],
  },
  {
    // The kernel imports nothing from a room, not even a type: every room may import it, so it is never in a cycle.
    name: "kernel",
    files: ["src/config.ts", "src/errors.ts", "src/validation.ts", "src/settings/**/*.ts"],
    notFrom: ["audit", "jobs", "http", "functions", "openapi", "viewer", "contract", "services", "identity"],
    packages: ["@azure/functions", "@azure/data-tables"],
    extra: [{ regex: "^(\\./|(\\.\\./)+)graph/", message: "The kernel imports nothing from a room, not even a type." }],
  },
  {
    name: "contract",
    files: ["src/contract/**/*.ts"],
    notFrom: [],
    extra: [{ regex: "^\\.\\./", message: "src/contract imports nothing: the server and the browser both load it." }],
  },
  {
    // Browser code: it talks to the API, and shares only src/contract with the server.
    name: "viewer",
    files: ["src/viewer/**/*.ts"],
    notFrom: [],
    extra: [{ regex: "^\\.\\./(?!contract/)", message: "The viewer imports only itself and src/contract." }],
  },
];
const roomRules = rooms.map(
  ({ name, files, ignores, notFrom, packages = [], extra = [], allowTypeImports = false }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: packages.map((pkg) => ({
            name: pkg,
            message: pkg === "@azure/data-tables" ? tablesMessage : `The ${name} room knows nothing of ${pkg}.`,
            allowTypeImports,
          })),
          patterns: [
            ...(notFrom.length > 0
              ? [
                  {
                    regex: roomNames(notFrom),
                    message: `The ${name} room may not import this one (architecture.md).`,
                    allowTypeImports,
                  },
                ]
              : []),
            ...extra.map((pattern) => ({ ...pattern, allowTypeImports })),
            auditSurfaces,
            localTools,
          ],
        },
      ],
    },
  }),
);

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
      "max-lines": ["error", { max: 300, skipBlankLines: false, skipComments: false }],
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
  ...roomRules,
  {
    // The sandbox (npm start) is what the tests stand on; it never leans on them.
    files: ["sandbox/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@azure/data-tables", message: tablesMessage }],
          patterns: [
            { regex: "^(\\.\\./)+(test|bench)/", message: "sandbox/ never imports the tests or benches." },
            auditSurfaces,
          ],
        },
      ],
    },
  },
  {
    // Tests read loosely typed JSON answers.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests, benches and scripts use the audit's folders as the app does.
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [auditSurfaces] }] },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
