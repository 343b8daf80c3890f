/**
 * The audit at tenant scale, on Azurite and the simulator (10 ms per Graph request):
 * - 1,000 jobs with 3 tasks each on 10 printers: the app's first run and a steady run (nothing changed),
 *   against a naive sequential audit written here (one GET per job with $expand=tasks, one write per row);
 * - Graph requests per steady run against list pages + active jobs / 20;
 * - Table requests per job (first and steady run), as the strict Table layer counts them, and the first run
 *   against the naive audit with a 5 ms round trip per Table request (in-region);
 * - peak memory of the app's first run at 1,000 and 50,000 jobs.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TableClient } from "@azure/data-tables";
import { type GraphClient } from "../src/graph/client";
import { getGraphClient } from "../src/services";
import { runScheduledAudit, serveAuditQueues } from "../test/rig/auditedApp";
import { startRig, type Rig } from "../test/rig/rig";
import { type TableCounts } from "../test/rig/strictTables";
import { makeJob, printerIdFor } from "../sandbox/tenant";

const terminal = new Set(["completed", "canceled", "aborted"]);

function addTenant(
  rig: Rig,
  firstPrinter: number,
  printers: number,
  jobsPerPrinter: number,
  tasksPerJob: number,
): string[] {
  const ids: string[] = [];
  for (let p = firstPrinter; p < firstPrinter + printers; p++) {
    const id = printerIdFor(p);
    ids.push(id);
    rig.sim.addPrinter({ id, displayName: `Bench printer ${p}` });
    for (let j = 1; j <= jobsPerPrinter; j++) rig.sim.addJob(id, makeJob(id, j, { tasks: tasksPerJob }));
  }
  return ids;
}

interface Measured {
  ms: number;
  graphRequests: number;
  peakRssMb: number;
  peakHeapMb: number;
  baseRssMb: number;
  baseHeapMb: number;
  /** The most heap still in use after a full GC, sampled every 250 ms: what the run really holds. */
  retainedHeapMb: number;
}

/** A full GC on demand without a command-line flag (the bench runner starts plain node). */
function gcFunction(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Runs work while sampling memory every 10 ms. With `heldAfterGc`, a full GC every 250 ms also measures
 * what the run really holds (it slows the run, so timed runs go without it).
 */
async function measure(
  rig: Rig,
  work: () => Promise<void>,
  options: { heldAfterGc?: boolean } = {},
): Promise<Measured> {
  const gc = gcFunction();
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let retained = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  const collector = options.heldAfterGc
    ? setInterval(() => {
        // The simulator's request log is the rig's, not the app's memory.
        rig.sim.requests.length = 0;
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed);
      }, 250)
    : undefined;
  const requestsBefore = rig.sim.requests.filter((r) => !r.inBatch).length;
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
    clearInterval(collector);
  }
  return {
    ms: Math.round(performance.now() - started),
    graphRequests: options.heldAfterGc ? -1 : rig.sim.requests.filter((r) => !r.inBatch).length - requestsBefore,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    baseRssMb: mb(base.rss),
    baseHeapMb: mb(base.heapUsed),
    retainedHeapMb: options.heldAfterGc ? mb(retained) : 0,
  };
}

/** One run of the app: the timer fans out, the queue trigger audits each printer. */
const appRun = (rig: Rig): Promise<void> => runScheduledAudit(rig, { timeoutMs: 600_000, pollMs: 5 });

/** The naive audit: printer after printer, job after job, one GET per job and one write per row. */
async function naiveRun(rig: Rig, graph: GraphClient, printers: string[], prefix = "naive"): Promise<void> {
  const table = (name: string): TableClient =>
    TableClient.fromConnectionString(rig.azurite!.connectionString, name, { allowInsecureConnection: true });
  const jobs = table(`${prefix}Jobs`);
  const tasks = table(`${prefix}Tasks`);
  await jobs.createTable();
  await tasks.createTable();
  for (const printerId of printers) {
    for await (const listed of graph.listPrinterJobs(printerId)) {
      const { body: job } = await graph.getPrintJob({ printerId, jobId: listed.id! }, { expand: ["tasks"] });
      await jobs.upsertEntity({
        partitionKey: printerId,
        rowKey: `${job.id}|${job.status?.state}`,
        JobId: job.id!,
        JobState: job.status?.state ?? "",
        CreatedBy: job.createdBy?.userPrincipalName ?? "",
      });
      for (const task of job.tasks ?? []) {
        await tasks.upsertEntity({
          partitionKey: printerId,
          rowKey: `${job.id}|${task.id}|${task.status?.state}`,
          TaskState: task.status?.state ?? "",
        });
      }
    }
  }
}

/** Table requests of one kind and another, per job, as the strict layer counted them. */
function tableLine(label: string, counts: TableCounts, jobs: number): string {
  const perJob = (n: number): string => (n / jobs).toFixed(2);
  return (
    `${label.padEnd(36)} ${perJob(counts.requests)} Table requests per job (${counts.requests}: ` +
    `${counts.batch} transactions of ${counts.batchOperations} rows, ${counts.insert + counts.upsertOrMerge + counts.delete} single writes, ` +
    `${counts.query} queries returning ${counts.rowsReturned} rows, ${counts.pointRead} point reads, ${counts.table} table calls)`
  );
}

/**
 * What the Table service would see: requests per job of a first and a steady run, then the first run against
 * the naive audit with `roundTripMs` added to every Table request.
 */
export async function tableCosts(rig: Rig, printers: string[], jobs: number, roundTripMs = 5): Promise<void> {
  const tables = rig.azurite!.tables;
  rig.configure({ AUDIT_PRINTER_IDS: printers.join(","), AUDIT_TABLE_PREFIX: "benchcount" });
  tables.takeCounts();
  await appRun(rig);
  const first = tables.takeCounts();
  await appRun(rig);
  const steady = tables.takeCounts();
  console.log(tableLine("app, first run", first, jobs));
  console.log(tableLine("app, steady run", steady, jobs));
  tables.options.roundTripMs = roundTripMs;
  try {
    rig.configure({ AUDIT_TABLE_PREFIX: "benchroundtrip" });
    const app = await measure(rig, () => appRun(rig));
    tables.takeCounts();
    const naive = await measure(rig, () => naiveRun(rig, getGraphClient("background"), printers, "naiveRoundTrip"));
    const naiveLine = tableLine("naive, first run", tables.takeCounts(), jobs);
    console.log(line(`app, first run, ${roundTripMs} ms per Table request`, app));
    console.log(line(`naive, first run, ${roundTripMs} ms per Table request`, naive));
    console.log(naiveLine);
    const ratio = naive.ms / app.ms;
    console.log(
      `speedup, first run with a ${roundTripMs} ms Table round trip: ${ratio.toFixed(1)}x (target >= 10x) ${ratio >= 10 ? "OK" : "BELOW TARGET"}`,
    );
    const perJob = first.requests / jobs;
    console.log(
      `Table requests per job, first run: ${perJob.toFixed(2)} (target <= 0.5) ${perJob <= 0.5 ? "OK" : "ABOVE TARGET"}`,
    );
  } finally {
    tables.options.roundTripMs = 0;
  }
}

function line(label: string, m: Measured): string {
  return `${label.padEnd(36)} ${String(m.ms).padStart(7)} ms  ${(m.graphRequests >= 0 ? String(m.graphRequests) : "-").padStart(6)} Graph requests  peak RSS ${m.peakRssMb} MB (before ${m.baseRssMb})  peak heap ${m.peakHeapMb} MB (before ${m.baseHeapMb}${m.retainedHeapMb > 0 ? `, most held after a full GC ${m.retainedHeapMb}` : ""})`;
}

export async function run(): Promise<void> {
  const rig = await startRig({ storage: true, simulator: { latencyMs: 10 } });
  try {
    await serveAuditQueues(rig, 5);
    const printers = addTenant(rig, 1, 10, 100, 3);
    rig.configure({ AUDIT_PRINTER_IDS: printers.join(","), AUDIT_TABLE_PREFIX: "benchsmall" });
    console.log(
      `1,000 jobs x 3 tasks on 10 printers, simulator latency ${rig.sim.latencyMs} ms per request, Graph page size ${rig.sim.pageSize}, Azurite in memory`,
    );

    // The machine may be shared: the app's runs are repeated and the median taken (a first run each time on fresh tables).
    const median = (runs: Measured[]): Measured => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
    const firstRuns: Measured[] = [];
    for (let i = 0; i < 3; i++) {
      rig.configure({ AUDIT_TABLE_PREFIX: `benchfirst${i}` });
      firstRuns.push(await measure(rig, () => appRun(rig)));
    }
    const steadyRuns: Measured[] = [];
    for (let i = 0; i < 5; i++) steadyRuns.push(await measure(rig, () => appRun(rig)));
    const appFirst = median(firstRuns);
    const appSteady = median(steadyRuns);
    const graph = getGraphClient("background");
    const naiveFirst = await measure(rig, () => naiveRun(rig, graph, printers));
    const naiveSteady = await measure(rig, () => naiveRun(rig, graph, printers));

    console.log(line("app, first run (median of 3)", appFirst));
    console.log(line("app, steady run (median of 5)", appSteady));
    console.log(line("naive, first run", naiveFirst));
    console.log(line("naive, steady run", naiveSteady));
    console.log(
      `app runs, ms: first ${firstRuns.map((m) => m.ms).join(", ")}; steady ${steadyRuns.map((m) => m.ms).join(", ")}`,
    );
    const first = naiveFirst.ms / appFirst.ms;
    const steady = naiveSteady.ms / appSteady.ms;
    console.log(`speedup, first run:  ${first.toFixed(1)}x (target >= 10x) ${first >= 10 ? "OK" : "BELOW TARGET"}`);
    console.log(`speedup, steady run: ${steady.toFixed(1)}x (target >= 20x) ${steady >= 20 ? "OK" : "BELOW TARGET"}`);

    const all = printers.flatMap((p) => [...rig.sim.printers.get(p)!.jobs.values()]);
    const active = all.filter((j) => !terminal.has(j.status?.state ?? "")).length;
    const listPages = printers.reduce(
      (n, p) => n + Math.max(1, Math.ceil(rig.sim.printers.get(p)!.jobs.size / rig.sim.pageSize)),
      0,
    );
    const batches = printers.reduce(
      (n, p) =>
        n +
        Math.ceil(
          [...rig.sim.printers.get(p)!.jobs.values()].filter((j) => !terminal.has(j.status?.state ?? "")).length / 20,
        ),
      0,
    );
    const other = appSteady.graphRequests - listPages - batches;
    console.log(
      `Graph requests per steady run: ${appSteady.graphRequests} = list pages ${listPages} + $batch ${batches} (${active} active jobs, 20 to a $batch per printer)` +
        `${other !== 0 ? ` + other ${other}` : ""}; list pages + active jobs / 20 = ${(listPages + active / 20).toFixed(0)}`,
    );

    await tableCosts(rig, printers, 1_000);

    // Memory as jobs grow: the same first run at 1,000 and at 50,000 jobs (10 more printers each time),
    // latency 0 so that 50,000 jobs take minutes, not hours.
    rig.sim.latencyMs = 0;
    const memory: [string, Measured][] = [];
    for (const [label, first, jobsPerPrinter] of [
      ["1,000", 11, 100],
      ["50,000", 101, 5_000],
    ] as const) {
      const ids = addTenant(rig, first, 10, jobsPerPrinter, 1);
      rig.sim.requests.length = 0;
      rig.configure({ AUDIT_PRINTER_IDS: ids.join(","), AUDIT_TABLE_PREFIX: `benchmem${jobsPerPrinter}` });
      const m = await measure(rig, () => appRun(rig), { heldAfterGc: true });
      memory.push([label, m]);
      console.log(line(`app, first run, ${label} jobs*`, m));
    }
    const growth = (m: Measured): string =>
      `+${(m.peakRssMb - m.baseRssMb).toFixed(1)} MB RSS peak, +${(m.peakHeapMb - m.baseHeapMb).toFixed(1)} MB heap peak, +${(m.retainedHeapMb - m.baseHeapMb).toFixed(1)} MB heap held after GC`;
    for (const [label, m] of memory)
      console.log(`memory growth during the app's first run, ${label.padStart(6)} jobs: ${growth(m)}`);
    console.log(
      "* 1 task per job, simulator latency 0 ms; the simulator's tenant lives in this process, so compare growth during the run, not totals",
    );
  } finally {
    await rig.stop();
  }
}
