// Runs every compiled test file (dist/test/**/*.test.js) with Node's own test runner.
// A file list instead of a glob: `node --test <dir>` means different things on Node 20 and 22.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? "dist/test";
const pattern = process.argv[3] ? new RegExp(process.argv[3]) : /\.test\.js$/;

// The long fault-injection suites (a faults/ folder) run with `npm run test:faults`, not in `npm test`.
const skipFaults = !/(^|\/)faults(\/|$)/.test(root);

function collect(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return skipFaults && name === "faults" ? [] : collect(path);
      return pattern.test(name) && name.endsWith(".test.js") ? [path] : [];
    });
}

const files = collect(root);
if (files.length === 0) {
  console.error(`No test files found under ${root}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
