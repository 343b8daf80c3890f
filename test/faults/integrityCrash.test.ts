/**
 * Crashes and the tamper evidence: the audit process is killed (SIGKILL) at every write it makes (Table writes,
 * the evidence's table calls and every call to the anchor's blobs), once just before the call reaches the
 * service and once just after the service carried it out; points that leave the same writes carried out are tried
 * once (distinctCrashPoints in auditHarness.ts). The queue message is then delivered again, as the host
 * does, and the audit must verify intact: every history row covered by an anchored link, no row accused, none
 * left excused as "being written".
 */
import assert from "node:assert/strict";
import { type IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { BlobAnchor, evidenceContainer, verifyIntegrity } from "../../src/audit/integrity";
import { AuditStore, tableClientFactory } from "../../src/audit/store";
import { Figures } from "../rig/figures";
import { makeJob } from "../../sandbox/tenant";
import {
  distinctCrashPoints,
  failedCrashPoints,
  firstRunId,
  laterRunId,
  readTable,
  recordCleanRuns,
  runAuditProcess,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
  type CrashPoint,
} from "./auditHarness";

let world: AuditWorld;
const figures = new Figures("integrity");
const printerId = "c4a50000-0000-4000-8000-0000000000e1";
const nextPrefix = tablePrefixes("evcrash");
const parallel = Number(process.env.CRASH_PARALLEL ?? 4);
/** The UTC day of the first job state A creates (24 minutes before now): yesterday, just after midnight. */
const firstDay = new Date(Date.now() - 24 * 60_000).toISOString().slice(0, 10);
let writesFirst = 0;
let writesLater = 0;
let pointsFirst: ReturnType<typeof distinctCrashPoints>;
let pointsLater: ReturnType<typeof distinctCrashPoints>;
let tried = 0;
let survived = 0;

/**
 * The write points around the evidence: every call to the anchor's blobs or the Integrity table (a transaction
 * names its table in its body), and the writes of history rows the evidence digests.
 */
function isWritePoint(req: IncomingMessage, body: Buffer): boolean {
  if (/Integrity|audit-evidence/.test(req.url ?? "")) return true;
  return (
    req.method !== "GET" && /\$batch/.test(req.url ?? "") && /(Integrity|Jobs|Tasks)[ (?]/.test(body.toString("utf8"))
  );
}

/** 24 jobs created in the last 24 minutes with a task each, over 3 pages: two writes of history rows, so two links. */
function tenantStateA(): void {
  const printer = world.sim.printers.get(printerId)!;
  printer.jobs.clear();
  for (let i = 1; i <= 24; i++)
    world.sim.addJob(
      printerId,
      makeJob(printerId, i, { tasks: 1, createdDateTime: new Date(Date.now() - i * 60_000).toISOString() }),
    );
}

/** Five jobs move on, two arrive. */
function tenantStateB(): void {
  for (const id of ["1", "2", "3", "4", "5"]) world.sim.setJobState(printerId, id, "aborted");
  for (let i = 25; i <= 26; i++)
    world.sim.addJob(printerId, makeJob(printerId, i, { tasks: 1, createdDateTime: new Date().toISOString() }));
}

before(async () => {
  world = await startAuditWorld({ pageSize: 10 });
  world.sim.addPrinter({ id: printerId, displayName: "Evidence crash printer" });
  tenantStateA();
  const prefix = nextPrefix();
  const first = await runAuditProcess(world, {
    prefix,
    runId: firstRunId,
    printerId,
    proxyBlob: true,
    crashCounts: isWritePoint,
  });
  assert.equal(first.exitCode, 0, first.output);
  writesFirst = first.counted;
  pointsFirst = distinctCrashPoints(first.log);
  tenantStateB();
  const later = await runAuditProcess(world, {
    prefix,
    runId: laterRunId,
    printerId,
    proxyBlob: true,
    crashCounts: isWritePoint,
  });
  assert.equal(later.exitCode, 0, later.output);
  writesLater = later.counted;
  pointsLater = distinctCrashPoints(later.log);
  tenantStateA();
});

after(async () => {
  figures.print();
  await world.stop();
});

/** The tamper evidence of a table set, checked as an operator would. */
async function verifyTables(prefix: string): Promise<string[]> {
  const storage = { kind: "connectionString" as const, connectionString: world.azurite.connectionString };
  const none = (): never => {
    throw new Error("no credential in tests");
  };
  const target = {
    store: new AuditStore(prefix, tableClientFactory(storage, none)),
    anchor: new BlobAnchor(evidenceContainer(storage, "audit-evidence", none)),
  };
  const today = new Date().toISOString().slice(0, 10);
  const { report } = await verifyIntegrity(target, { from: firstDay, to: today, retentionDays: 400 });
  const history = (await readTable(world, prefix, "Jobs")).length + (await readTable(world, prefix, "Tasks")).length;
  const problems: string[] = [];
  if (!report.intact) problems.push(`findings ${JSON.stringify(report.findings.slice(0, 3))}`);
  if (report.rowsBeingWritten > 0) problems.push(`${report.rowsBeingWritten} row(s) left undigested`);
  if (report.rowsChecked !== history) problems.push(`checked ${report.rowsChecked} of ${history} rows`);
  return problems;
}

/** Kill at a write, deliver again, verify; returns what went wrong (nothing, when the evidence held). */
async function crashAndHeal(runId: string, prefix: string, { call, when }: CrashPoint): Promise<string[]> {
  const problems: string[] = [];
  const run = { prefix, runId, printerId, proxyBlob: true, crashCounts: isWritePoint };
  const crashed = await runAuditProcess(world, { ...run, crashAt: { call, when } });
  if (crashed.killedAt !== call || crashed.signal !== "SIGKILL") problems.push(`not killed at write ${call}`);
  const again = await runAuditProcess(world, { ...run, dequeueCount: 2 });
  if (again.exitCode !== 0) problems.push(`the redelivery failed: ${again.output.slice(0, 300)}`);
  problems.push(...(await verifyTables(prefix)));
  tried++;
  if (problems.length === 0) survived++;
  return problems;
}

describe("the audit killed at every write, then delivered again, verifies intact", () => {
  test("a clean run's writes are the crash points, and clean runs verify intact", () => {
    assert.ok(writesFirst >= 10 && writesLater >= 10, `first run ${writesFirst} writes, later run ${writesLater}`);
    figures.set("writesPerFirstRun", writesFirst);
    figures.set("writesPerLaterRun", writesLater);
    assert.equal(pointsFirst.all + pointsLater.all, 2 * (writesFirst + writesLater));
    figures.set("integrityCrashPointsInAll", pointsFirst.all + pointsLater.all);
  });

  test("first run over empty tables: killed before and after each write", async () => {
    tenantStateA();
    const failures = await failedCrashPoints(
      pointsFirst.points,
      parallel,
      (point) => crashAndHeal(firstRunId, nextPrefix(), point),
      "first run",
    );
    assert.deepEqual(failures, []);
  });

  test("later run over recorded history with changes: killed before and after each write", async () => {
    const { points } = pointsLater;
    const prefixes = points.map(() => nextPrefix());
    tenantStateA();
    await recordCleanRuns(world, prefixes, { runId: firstRunId, printerId, proxyBlob: true }, parallel);
    tenantStateB();
    const failures = await failedCrashPoints(
      points,
      parallel,
      (point, i) => crashAndHeal(laterRunId, prefixes[i]!, point),
      "later run",
    );
    assert.deepEqual(failures, []);
    figures.set("integrityCrashPointsSurvived", `${survived}/${tried}`);
    figures.set("integrityCrashPointsFailed", tried - survived);
  });
});
