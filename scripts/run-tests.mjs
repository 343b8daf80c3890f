// Runs every compiled test file (dist/test/**/*.test.js) with Node's own test runner, several files at once, and
// closes with one line saying what was skipped, why, and the command that runs it.
// A file list instead of a glob: `node --test <dir>` means different things on Node 20 and 22.
//   node scripts/run-tests.mjs [root] [file name pattern]   the tests (npm test), or the fault suites under dist/test/faults
//   node scripts/run-tests.mjs --all                         both in one pool, as CI runs them
//   TEST_CONCURRENCY=n sets how many files run at once.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const all = process.argv[2] === "--all";
const args = all ? process.argv.slice(3) : process.argv.slice(2);
const root = args[0] ?? "dist/test";
const pattern = args[1] ? new RegExp(args[1]) : /\.test\.js$/;

// The long fault-injection suites (a faults/ folder) run with `npm run test:faults`, not in `npm test`; `--all`
// runs both.
const faultsOnly = /(^|\/)faults(\/|$)/.test(root);

// Each file runs in its own process (Node's default), so files share no state. As many files as cores: each file
// keeps more than one process busy (Azurite, Chromium, the crash suites' workers), so more files than cores only
// make them contend. Measured on a 2-core machine, the whole pool (--all) back to back: 2 at a time 475 s (883
// CPU-seconds), 3 at a time 488 s (960), 4 at a time 537 s (1,069). The fault suites alone run one at a time:
// they time retries and outages, and each crash suite keeps the cores busy with its own workers.
const cores = availableParallelism();
const concurrency = Number(process.env.TEST_CONCURRENCY) || (faultsOnly && !all ? 1 : Math.min(8, Math.max(2, cores)));

/** Why a test was skipped -> what a reader must do to run it. The first pattern that matches wins. */
const howToRun = [
  [/infra:build/, "need `npm run infra:build` (the dotnet SDK restores the Bicep CLI)"],
  [/PowerShell/, "need PowerShell 7 (`dotnet tool install PowerShell --tool-path .tools/pwsh`)"],
  [/chromium/i, "need Chromium (`apt-get install chromium`)"],
  [/soffice|libreoffice/i, "need LibreOffice Calc (`apt-get install libreoffice-calc-nogui`)"],
];

const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function collect(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return !faultsOnly && !all && name === "faults" ? [] : collect(path);
      return pattern.test(name) && name.endsWith(".test.js") ? [path] : [];
    });
}

/** One line: "37 skipped: 36 tests need `npm run infra:build` (...); 1 suite needs Chromium (...)". */
function skippedLine(skipped) {
  if (skipped.length === 0) return "Nothing skipped: every test ran.";
  const groups = new Map();
  for (const { reason, suite } of skipped) {
    const what =
      howToRun.find(([re]) => re.test(reason))?.[1] ?? (reason ? `skipped: ${reason}` : "skipped, no reason given");
    const group = groups.get(what) ?? { tests: 0, suites: 0 };
    group[suite ? "suites" : "tests"]++;
    groups.set(what, group);
  }
  const count = (n, noun) => (n === 0 ? [] : [plural(n, noun)]);
  const parts = [...groups].map(([what, g]) => {
    const one = g.tests + g.suites === 1;
    return `${[...count(g.tests, "test"), ...count(g.suites, "whole suite")].join(" and ")} ${one ? what.replace(/^need /, "needs ") : what}`;
  });
  const tests = skipped.filter((s) => !s.suite).length;
  const suites = skipped.length - tests;
  const total = [...count(tests, "test"), ...count(suites, "whole suite")].join(" and ");
  return `${total} skipped: ${parts.join("; ")}.`;
}

const files = collect(root);
if (files.length === 0) {
  console.error(`No test files found under ${root}`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), "run-tests-"));
const skips = join(scratch, "skipped.jsonl");
const reporter = new URL("./skipped-tests-reporter.mjs", import.meta.url).href;
const result = spawnSync(
  process.execPath,
  [
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${reporter}`,
    `--test-reporter-destination=${skips}`,
    ...files,
  ],
  { stdio: "inherit" },
);
const skipped = existsSync(skips)
  ? readFileSync(skips, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(scratch, { recursive: true, force: true });
console.log(`ℹ ${plural(files.length, "file")} run, ${concurrency} at a time. ${skippedLine(skipped)}`);
process.exit(result.status ?? 1);
