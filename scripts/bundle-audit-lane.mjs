// Part of `npm run build`: bundles the fault suites' warm audit worker (dist/test/faults/auditLane.js) with the local
// host and the built app into one CommonJS file, dist/test/faults/auditLane.bundle.js, which test/faults/auditLanes.ts
// starts (through auditLaneStart.js) with V8's code cache. The app's files are the ones package.json's `main` names, in
// the order the Node worker loads them (expandMain); the bundle requires them when the worker's first delivery loads
// the app, as the worker does. @azure/functions-core stays outside: the local host provides it, as the Functions
// worker does. Nothing of it is deployed (.funcignore leaves out dist/test).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { expandMain } = require(join(root, "dist", "sandbox", "host", "functionApp.js"));
const { main } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const app = expandMain(root, main).map((file) => `require(${JSON.stringify(`./${relative(root, file)}`)});`);

const entry = `const lane = require("./dist/test/faults/auditLane.js");
const { installFunctionsCore, registrations } = require("./dist/sandbox/host/functionsCore.js");
lane.useBundledApp(() => {
  installFunctionsCore();
  ${app.join("\n  ")}
  return registrations;
});
module.exports = lane;
`;

await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "auditLane.bundle-entry.js", loader: "js" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: join(root, "dist", "test", "faults", "auditLane.bundle.js"),
  external: ["@azure/functions-core"],
  // Minified (whitespace and syntax; every name kept) and ASCII: each cold worker reads, hashes and keeps this source
  // in memory, and a smaller one-byte string costs it less (`npm run bench -- auditWorker`). For stack traces with
  // the compiled files' lines, build with tsc alone: workers then start from the files.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  logLevel: "warning",
});
