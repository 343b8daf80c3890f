/**
 * Crashes: the audit's worker is killed (SIGKILL) at its writes to Table Storage, just before a write reaches the
 * service or just after the service carried it out (before the worker hears the answer), in a first run over empty
 * tables and in a later run over recorded history with changes. Every such point is covered, each distinct one
 * tried: a killed worker keeps nothing, so what a kill leaves is the writes carried out before it, and points that
 * leave the same writes are tried once (distinctCrashPoints: a kill just after write k and one just before write
 * k+1 with nothing written between them; before and after a write the service refused, such as creating a table
 * that exists). A kill at a read leaves what a kill just before the next write leaves, for the same reason.
 * Each time the queue message is delivered again, as the host does, and
 * the tables must end up equal to those of a clean run: same rows, no duplicates, no gaps. The daily summaries
 * (the jobs were created over three UTC days) must equal a full scan of the history at every point too.
 */
import assert from "node:assert/strict";
import { type IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { devAccountName } from "../../sandbox/azurite";
import { Figures } from "../rig/figures";
import { makeJob } from "../../sandbox/tenant";
import {
  auditContents,
  compareContents,
  distinctCrashPoints,
  failedCrashPoints,
  firstRunId,
  laterRunId,
  recordCleanRuns,
  runAuditProcess,
  runRow,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
  type CrashPoint,
} from "./auditHarness";
import { summariesProblems } from "./summariesOracle";

let world: AuditWorld;
const figures = new Figures("audit-crashes");
const printerId = "c4a50000-0000-4000-8000-000000000001";
const nextPrefix = tablePrefixes("crash");
// Crash points tried at once. Three keep both cores of a 2-core machine busy; more only make the workers contend: the
// whole suite alone took 222-225 CPU-seconds (114-116 s) at six, 196-205 (102-107 s) at three.
const parallel = Number(process.env.CRASH_PARALLEL ?? 3);

/** Job n, created on one of three UTC days (so a later run moves the counts of more than one day). */
const job = (n: number) =>
  makeJob(printerId, n, { tasks: 2, createdDateTime: new Date(Date.UTC(2026, 10, 19 + (n % 3), 9, n)).toISOString() });
const days = { from: "2026-11-18", to: "2026-11-22" };

/**
 * State A: 12 jobs with 2 tasks each, over 3 pages. Small on purpose: every call is a crash point, and what a
 * call does (a page, a $batch of tasks, a transaction of one partition) is the same for 12 jobs as for 1,000.
 */
function tenantStateA(): void {
  const printer = world.sim.printers.get(printerId)!;
  printer.jobs.clear();
  for (let i = 1; i <= 12; i++) world.sim.addJob(printerId, job(i));
}

/** State B: four jobs move on (one task too), two new jobs arrive. */
function tenantStateB(): void {
  tenantStateA();
  for (const id of ["1", "3", "8", "9"]) world.sim.setJobState(printerId, id, id === "3" ? "aborted" : "completed");
  world.sim.job(printerId, "8").tasks![0]!.status = { state: "completed", description: "Done." };
  for (let i = 13; i <= 14; i++) world.sim.addJob(printerId, job(i));
}

let referenceA: Record<string, string[]>;
let referenceB: Record<string, string[]>;
let callsA = 0;
let callsB = 0;
let writesA = 0;
let writesB = 0;
let pointsA: ReturnType<typeof distinctCrashPoints>;
let pointsB: ReturnType<typeof distinctCrashPoints>;

/**
 * The crash points: every request to Table Storage that is not a read (a transaction, a write, a table created).
 * The evidence's blob calls go through the proxies too (so their writes count when points are compared), but are not
 * crash points here: the evidence suite (integrityCrash) kills at them.
 */
function isTableWrite(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  return (
    req.method !== "GET" &&
    url.startsWith(`/${devAccountName}/`) &&
    !url.startsWith(`/${devAccountName}/audit-evidence`)
  );
}
/** Every delivery of the suite: its blob calls through the proxies too. */
const proxied = { printerId, proxyBlob: true, crashCounts: isTableWrite };

before(async () => {
  world = await startAuditWorld({ pageSize: 4 });
  world.sim.addPrinter({ id: printerId, displayName: "Crash test printer" });
  const prefix = nextPrefix();
  tenantStateA();
  const first = await runAuditProcess(world, { ...proxied, prefix, runId: firstRunId });
  assert.equal(first.exitCode, 0, first.output);
  referenceA = await auditContents(world, prefix);
  [callsA, writesA, pointsA] = [first.calls, first.counted, distinctCrashPoints(first.log)];
  tenantStateB();
  const second = await runAuditProcess(world, { ...proxied, prefix, runId: laterRunId });
  assert.equal(second.exitCode, 0, second.output);
  referenceB = await auditContents(world, prefix);
  [callsB, writesB, pointsB] = [second.calls, second.counted, distinctCrashPoints(second.log)];
  assert.deepEqual(await summariesProblems(world, prefix, days), [], "a clean run's summaries");
});

after(async () => {
  figures.set("rowsLost", figures.get("rowsLost"));
  figures.set("duplicateRows", figures.get("duplicateRows"));
  // What the docs quote: the points in all, and how many failed (of those tried, which may differ by a point or two
  // between runs: parallel writes reach the service in varying order).
  figures.set("crashPointsFailed", figures.get("crashPointsTried") - figures.get("crashPointsSurvived"));
  figures.print();
  await world.stop();
});

/** Kill at a write, deliver again, compare; returns what went wrong (nothing, when the audit held). */
async function crashAndRecover(
  runId: string,
  prefix: string,
  { call, when }: CrashPoint,
  reference: Record<string, string[]>,
): Promise<string[]> {
  const problems: string[] = [];
  const crashed = await runAuditProcess(world, { ...proxied, prefix, runId, crashAt: { call, when } });
  if (crashed.killedAt !== call || crashed.signal !== "SIGKILL")
    problems.push(`not killed at write ${call} (exit ${crashed.exitCode}, ${crashed.counted} writes)`);
  const again = await runAuditProcess(world, { ...proxied, prefix, runId, dequeueCount: 2 });
  if (again.exitCode !== 0) problems.push(`the redelivery failed: ${again.output.slice(0, 300)}`);
  const diff = compareContents(reference, await auditContents(world, prefix));
  figures.add("rowsLost", diff.missing);
  figures.add("duplicateRows", diff.duplicates);
  if (diff.missing || diff.extra || diff.duplicates)
    problems.push(
      `missing ${diff.missing}, extra ${diff.extra}, duplicates ${diff.duplicates}: ${diff.detail.join("; ")}`,
    );
  const run = await runRow(world, prefix, runId, printerId);
  if (run?.Status !== "succeeded") problems.push(`run row is ${run?.Status}`);
  problems.push(...(await summariesProblems(world, prefix, days)));
  if (problems.length === 0) figures.add("crashPointsSurvived");
  figures.add("crashPointsTried");
  return problems;
}

describe("the audit killed at every write, then delivered again", () => {
  test("a clean run's writes are the crash points", () => {
    assert.ok(writesA >= 15 && writesB >= 15, `first run ${writesA} writes, later run ${writesB} writes`);
    assert.ok(writesA < callsA && writesB < callsB, "the runs read as well as write");
    assert.ok(
      referenceA.Jobs!.length === 12 && referenceA.Tasks!.length === 24 && referenceA.Current!.length === 12,
      JSON.stringify({ jobs: referenceA.Jobs!.length, tasks: referenceA.Tasks!.length }),
    );
    assert.ok(referenceB.Jobs!.length === 12 + 4 + 2, `later run history: ${referenceB.Jobs!.length}`);
    assert.equal(referenceA.Events!.length, referenceA.Jobs!.length, "one event per recorded job state");
    assert.equal(referenceB.Events!.length, referenceB.Jobs!.length, "one event per recorded job state");
    // Every history row has its index rows: by created time, by state, by user principal name and by user id.
    assert.equal(referenceA.JobIndex!.length, 12 * 4, `first run index rows: ${referenceA.JobIndex!.length}`);
    assert.equal(referenceB.JobIndex!.length, (12 + 4 + 2) * 4, `later run index rows: ${referenceB.JobIndex!.length}`);
    figures.set("callsPerFirstRun", callsA);
    figures.set("callsPerLaterRun", callsB);
    figures.set("writesPerFirstRun", writesA);
    figures.set("writesPerLaterRun", writesB);
    // Every point, before and after each write, is covered; the ones that leave the same tables are tried once.
    assert.equal(pointsA.all, 2 * writesA);
    assert.equal(pointsB.all, 2 * writesB);
    // A first run creates everything: "after write k" and "before write k+1" coincide unless the evidence's blob was
    // written between them.
    assert.ok(pointsA.points.length > writesA && pointsA.points.length < 2 * writesA, `${pointsA.points.length}`);
    // A later run finds its tables there (409), so fewer points differ; but every transaction is one.
    assert.ok(pointsB.points.length > writesB / 2 && pointsB.points.length <= writesB + 1, `${pointsB.points.length}`);
    figures.set("crashPointsInAll", pointsA.all + pointsB.all);
  });

  test("first run over empty tables: killed before and after each write", async () => {
    tenantStateA();
    const { points } = pointsA;
    const failures = await failedCrashPoints(
      points,
      parallel,
      (point) => crashAndRecover(firstRunId, nextPrefix(), point, referenceA),
      "first run",
    );
    assert.deepEqual(failures, []);
  });

  test("later run over recorded history with changes: killed before and after each write", async () => {
    const { points } = pointsB;
    const prefixesB = points.map(() => nextPrefix());
    // Each table set first holds a clean first run, as the scheduled runs would leave it.
    tenantStateA();
    await recordCleanRuns(world, prefixesB, { ...proxied, runId: firstRunId }, parallel);
    tenantStateB();
    const failures = await failedCrashPoints(
      points,
      parallel,
      (point, i) => crashAndRecover(laterRunId, prefixesB[i]!, point, referenceB),
      "later run",
    );
    assert.deepEqual(failures, []);
    assert.ok(figures.get("crashPointsSurvived") >= 20, "at least 20 crash points");
  });
});
