// Runs every compiled test file (dist/test/**/*.test.js) with Node's own test runner, several files at once, and
// closes with one line saying what was skipped, why, and the command that runs it.
// A file list instead of a glob: `node --test <dir>` means different things on Node 20 and 22.
//   node scripts/run-tests.mjs [root] [file name pattern]   the tests (npm test), or the fault suites under dist/test/faults
//   node scripts/run-tests.mjs --all                         both in one run, as CI runs them
//   TEST_CONCURRENCY=n sets how many files run at once.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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

// Files that mostly wait (retries and Retry-After pauses timed for real, storage stopped and started, a timer's
// schedule): long, but a few CPU-seconds each. When several files run at once, these run one at a time in a pool of
// their own beside the others, so they do not hold one of its places while the cores have work. Measured with the
// machine's busy time sampled every second over the whole pool (--all, 2-core machine): with them in the pool the
// cores stood idle 73 core-seconds of 1,018 (both running files waiting at once: auditFaults, erasureInterleavings
// and graphFaults together; getPrintJob beside hostileRoutes; secrets beside the viewer), beside it 11 of 914.
const mostlyWaiting = [
  "faults/auditFaults",
  "faults/graphFaults",
  "jobs/getPrintJob",
  "audit/queueHost",
  "secrets",
  "jobs/waitForPrintJob",
  "graph/client",
];
const waits = (file) => mostlyWaiting.some((name) => file.endsWith(`/${name}.test.js`));

// Files that keep every core busy on their own: the crash suites, each with its workers, its Azurite and its proxies
// (the audit crash suite alone keeps 1.9 of 2 cores busy). Beside another file they cost about a quarter more CPU
// (the audit crash suite's workers 1.77 CPU-seconds each in the pool, 1.40 alone), so when several files run at once
// these run first, one at a time, with only the waiting files beside them, and the others after them. Measured over
// the whole pool (--all, 2-core machine): 471 s and 925 CPU-seconds with them in the pool, 441 and 406 s (855 and 782
// CPU-seconds) with them alone first; over the eleven heaviest files, runs alternating on the same build, 280 and 321 s
// (540 and 622 CPU-seconds) with them in the pool, 251 and 252 s (478 and 478) alone first.
const ownTheCores = ["faults/auditCrash", "faults/integrityCrash", "faults/redactionCrash"];
const busiesAll = (file) => ownTheCores.some((name) => file.endsWith(`/${name}.test.js`));

/** Why a test was skipped -> what a reader must do to run it. The first pattern that matches wins. */
const howToRun = [
  [/infra:build/, "need `npm run infra:build` (the dotnet SDK restores the Bicep CLI)"],
  [/PowerShell/, "need PowerShell 7 (`dotnet tool install PowerShell --tool-path .tools/pwsh`)"],
  [/chromium/i, "need Chromium's headless shell (`apt-get install chromium-headless-shell`)"],
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

// One Azurite for the run, with an account for each suite that starts storage (test/rig/sharedAzurite.ts): suites
// share its process, never its data, instead of starting about forty emulators of about 0.85 CPU-seconds each.
// TEST_SHARED_AZURITE=0 gives every suite its own, as a suite run alone has.
const sharedAzuriteModule = fileURLToPath(new URL("../dist/test/rig/sharedAzurite.js", import.meta.url));
const sharedAzurite =
  process.env.TEST_SHARED_AZURITE !== "0" && existsSync(sharedAzuriteModule)
    ? await createRequire(import.meta.url)(sharedAzuriteModule).startSharedAzurite()
    : undefined;
Object.assign(process.env, sharedAzurite?.env);
const reporter = new URL("./skipped-tests-reporter.mjs", import.meta.url).href;
const besides = concurrency > 1 ? files.filter(waits) : [];
const alone = concurrency > 1 ? files.filter((file) => busiesAll(file) && !besides.includes(file)) : [];

/** Runs files with Node's test runner, `places` at a time; the spec output to stdout, or to `log` when given. */
async function pool(name, list, places, log) {
  if (list.length === 0) return { code: 0, skipped: [] };
  const skips = join(scratch, `${name}.skipped.jsonl`);
  const child = spawn(
    process.execPath,
    [
      "--test",
      `--test-concurrency=${places}`,
      "--test-reporter=spec",
      `--test-reporter-destination=${log ?? "stdout"}`,
      `--test-reporter=${reporter}`,
      `--test-reporter-destination=${skips}`,
      ...list,
    ],
    { stdio: "inherit" },
  );
  const [code] = await once(child, "exit");
  const skipped = existsSync(skips)
    ? readFileSync(skips, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  return { code, skipped };
}

// The waiting files' output is kept and printed whole after the others', so the two do not interleave.
const besidesLog = join(scratch, "besides.log");
const [main, side] = await Promise.all([
  (async () => {
    const first = await pool("alone", alone, 1);
    const rest = await pool(
      "main",
      files.filter((file) => !besides.includes(file) && !alone.includes(file)),
      concurrency,
    );
    return { code: first.code || rest.code, skipped: [...first.skipped, ...rest.skipped] };
  })(),
  pool("besides", besides, 1, besidesLog),
]);
if (besides.length) {
  console.log(
    `\nℹ Beside those, one at a time: ${plural(besides.length, "file")} that mostly wait${besides.length === 1 ? "s" : ""}.`,
  );
  process.stdout.write(readFileSync(besidesLog));
}
await sharedAzurite?.stop();
rmSync(scratch, { recursive: true, force: true });
const places = [
  ...(alone.length ? [`${alone.length} alone first`] : []),
  `${alone.length ? "then " : ""}${concurrency} at a time`,
  ...(besides.length ? [`and ${besides.length} one at a time beside them`] : []),
].join(", ");
console.log(`ℹ ${plural(files.length, "file")} run, ${places}. ${skippedLine([...main.skipped, ...side.skipped])}`);
process.exit(main.code === 0 && side.code === 0 ? 0 : 1);
