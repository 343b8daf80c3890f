/**
 * `npm run bench`: lists the benchmarks and runs none. `npm run bench -- <name> [<name>...]` runs those named
 * (exact names, in any case: `coldstart` is coldStart), `npm run bench -- all` runs every one in the order below. Each bench is a module
 * `bench/<name>.bench.ts` exporting `run(): Promise<void>` that prints its own figures; a new one gets a row here.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

interface Bench {
  /** `npm run bench -- <name>`, and the module `bench/<name>.bench.ts`. */
  name: string;
  /** What it measures, in a line. */
  measures: string;
  /** How long it takes on a 2-core machine. */
  takes: string;
}

const benches: readonly Bench[] = [
  {
    name: "getJob",
    measures: "get-job latency through the function against a bare Graph call, token requests",
    takes: "about 20 s",
  },
  {
    name: "coldStart",
    measures:
      "modules and load time of a fresh worker before and after its first get-job call, against every room at start",
    takes: "about 10 s",
  },
  {
    name: "auditWorker",
    measures: "CPU of a fault suites' cold audit worker until its first delivery, from its files and from its bundle",
    takes: "about 25 s",
  },
  {
    name: "audit",
    measures: "first and steady audit of 1,000 jobs against a naive audit; Graph requests; memory at 50,000 jobs",
    takes: "about 7 min (5 of them the 50,000-job run)",
  },
  {
    name: "audit50k",
    measures: "heap held while one printer's 50,000 jobs are audited in one delivery (AUDIT_BENCH_JOBS)",
    takes: "about 3 min",
  },
  {
    name: "redaction",
    measures: "the privacy rewrite of 10,000 rows against a timer run's 5-minute budget (STORAGE_LATENCY_MS)",
    takes: "about 90 s",
  },
  {
    name: "viewer",
    measures: "the viewer page's size, its first job table and a month of summaries in Chromium",
    takes: "about 2.5 min (records a month first)",
  },
  {
    name: "load",
    measures: "200 concurrent get-job callers for 60 s: requests/s, p50/p95/p99, errors, heap (LOAD_DURATION_S)",
    takes: "about 65 s (60 s of load)",
  },
  {
    name: "read",
    measures: "auditors' questions over 60,000 recorded jobs, scan against indexes: rows read (READ_BENCH_JOBS)",
    takes: "10-11 min (READ_BENCH_JOBS shortens it)",
  },
  {
    name: "verify",
    measures:
      "the tamper evidence of 30 days of 60,000 jobs verified: rows read per row checked, time (VERIFY_BENCH_JOBS)",
    takes: "about 15 s (writes 60,000 rows first)",
  },
];

/** A name that is not a bench: said in a line with the list, without a stack. */
class BenchUsageError extends Error {}

function listing(): string {
  const width = Math.max(...benches.map((b) => b.name.length));
  const takesWidth = Math.max(...benches.map((b) => b.takes.length));
  return [
    "Benchmarks (times on a 2-core machine). Run one or more with `npm run bench -- <name> ...`, or all with `npm run bench -- all`:",
    ...benches.map((b) => `  ${b.name.padEnd(width)}  ${b.takes.padEnd(takesWidth)}  ${b.measures}`),
  ].join("\n");
}

/** The benches to run: every bench for `all`, else each name given, exactly. */
function chosen(names: string[]): Bench[] {
  if (names.includes("all")) return [...benches];
  const named = (bench: Bench, name: string): boolean => bench.name.toLowerCase() === name.toLowerCase();
  const unknown = names.filter((n) => !benches.some((b) => named(b, n)));
  if (unknown.length > 0) throw new BenchUsageError(`No benchmark named ${unknown.join(", ")}.\n${listing()}`);
  return benches.filter((b) => names.some((n) => named(b, n)));
}

async function main(): Promise<void> {
  const unlisted = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.js"))
    .map((f) => f.replace(/\.bench\.js$/, ""))
    .filter((name) => !benches.some((b) => b.name === name));
  if (unlisted.length > 0) throw new BenchUsageError(`bench/run.ts has no row for ${unlisted.join(", ")}: add one.`);
  const names = process.argv.slice(2);
  if (names.length === 0) {
    console.log(`${listing()}\nNothing was run.`);
    return;
  }
  for (const bench of chosen(names)) {
    console.log(`\n### ${bench.name}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(__dirname, `${bench.name}.bench.js`)) as { run: () => Promise<void> };
    const started = Date.now();
    await mod.run();
    // The time the list gives ("takes"), measured: what a reader compares with it.
    console.log(`### ${bench.name} took ${Math.round((Date.now() - started) / 1000)} s (listed: ${bench.takes})`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof BenchUsageError ? error.message : error);
    process.exit(1);
  },
);
