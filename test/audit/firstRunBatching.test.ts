/**
 * A printer's first run, its observations gathered across pages and written in full transactions
 * (src/audit/recorder/observationBuffer.ts): a job Graph lists on two pages of one run is recorded once per state
 * it really had, nothing duplicated, lost or refused by the strict Table layer; and the first run of a printer with
 * many jobs costs far fewer Table requests than one per job.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { type PrintJob } from "../../src/graph/types";
import { runIdPattern } from "../../src/audit/keys";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

type TableRow = Record<string, unknown>;

let rig: Rig;
let prefixCounter = 0;

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 10 } });
  await serveAuditQueues(rig);
});
after(() => rig.stop());

/** Fresh audit tables for one printer. */
function auditOnly(printerId: string): string {
  const prefix = `batch${++prefixCounter}x${Date.now().toString(36)}`;
  rig.configure({ AUDIT_TABLE_PREFIX: prefix, AUDIT_PRINTER_IDS: printerId });
  return prefix;
}

async function rows(table: string): Promise<TableRow[]> {
  const client = TableClient.fromConnectionString(rig.azurite!.connectionString, table, {
    allowInsecureConnection: true,
  });
  const out: TableRow[] = [];
  for await (const e of client.listEntities<TableRow>()) out.push(e);
  return out;
}

async function runAudit(prefix: string): Promise<TableRow[]> {
  await runScheduledAudit(rig, { timeoutMs: 60_000 });
  const runs = (await rows(`${prefix}Runs`)).filter((r) => runIdPattern.test(String(r.partitionKey)));
  const latest = runs
    .map((r) => String(r.partitionKey))
    .sort()
    .at(-1);
  return runs.filter((r) => r.partitionKey === latest);
}

/** Each job's recorded states, oldest first: "jobId: state, state". */
function statesByJob(history: TableRow[]): Map<string, string[]> {
  const byJob = new Map<string, TableRow[]>();
  for (const row of history) byJob.set(String(row.JobId), [...(byJob.get(String(row.JobId)) ?? []), row]);
  const states = new Map<string, string[]>();
  for (const [jobId, jobRows] of byJob) {
    jobRows.sort((a, b) => Number(a.Sequence) - Number(b.Sequence));
    assert.deepEqual(
      jobRows.map((r) => Number(r.Sequence)),
      jobRows.map((_, i) => i + 1),
      `job ${jobId}: one row per sequence number, no gap, no repeat`,
    );
    states.set(
      jobId,
      jobRows.map((r) => String(r.JobState)),
    );
  }
  return states;
}

/**
 * A printer's job list as Graph may page it while jobs arrive: before the third page is served, new jobs are
 * submitted and listed first, so the page offset moves and the end of page 2 is listed again on page 3. One job
 * moves on (paused -> processing) just after the audit first reads it, so page 3 lists it in its new state.
 */
class ShiftingJobList extends Map<string, PrintJob> {
  private listings = 0;
  private readonly readOnce = new Set<string>();

  constructor(
    private readonly arriving: () => [string, PrintJob][],
    private readonly moving: { jobId: string; to: string },
  ) {
    super();
  }

  override values(): MapIterator<PrintJob> {
    if (++this.listings === 3) {
      const listed = [...this.entries()];
      this.clear();
      for (const [id, job] of [...this.arriving(), ...listed]) this.set(id, job);
    }
    return super.values();
  }

  override get(jobId: string): PrintJob | undefined {
    const job = super.get(jobId);
    if (job && jobId === this.moving.jobId && !this.readOnce.has(jobId)) {
      this.readOnce.add(jobId);
      // After the answer is rendered: the audit's first read sees the job as it was.
      setImmediate(() => (job.status = { ...job.status, state: this.moving.to, description: "Moved on." }));
    }
    return job;
  }
}

describe("a job listed on two pages of one run", () => {
  const printerId = printerIdFor(71);
  const arriving = [101, 102, 103, 104, 105];
  let prefix = "";
  let firstRun: TableRow[] = [];

  before(async () => {
    const jobs = new ShiftingJobList(() => arriving.map((n) => [String(n), makeJob(printerId, n, { tasks: 1 })]), {
      jobId: "16",
      to: "processing",
    });
    rig.sim.printers.set(printerId, {
      printer: { id: printerId, displayName: "Shifting list", isShared: false },
      jobs,
    });
    for (let n = 1; n <= 60; n++) jobs.set(String(n), makeJob(printerId, n, { tasks: 1 }));
    prefix = auditOnly(printerId);
    rig.azurite!.tables.takeCounts();
    firstRun = await runAudit(prefix);
  });

  test("the run succeeds and the strict Table layer refuses none of its writes", () => {
    assert.deepEqual(
      firstRun.map((r) => r.Status),
      ["succeeded"],
    );
    assert.equal(rig.azurite!.tables.takeCounts().refused, 0, JSON.stringify(rig.azurite!.tables.refusals));
  });

  test("jobs listed twice (16 to 20, on pages 2 and 3) have one history row each, the one that moved two", async () => {
    const states = statesByJob(await rows(`${prefix}Jobs`));
    assert.deepEqual(
      [...states.keys()].sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 60 }, (_, i) => String(i + 1)),
      "every job listed is recorded (the new ones the moving list skipped wait for the next run)",
    );
    assert.deepEqual(states.get("16"), ["paused", "processing"]);
    for (const jobId of ["17", "18", "19", "20"])
      assert.deepEqual(states.get(jobId), [rig.sim.job(printerId, jobId).status!.state], `job ${jobId}`);
    const current = await rows(`${prefix}Current`);
    assert.equal(current.length, 60);
    assert.equal(current.find((r) => r.JobId === "16")?.JobState, "processing");
  });

  test("each task state is recorded once, and each recorded job state has one event in the feed", async () => {
    const history = await rows(`${prefix}Jobs`);
    const tasks = (await rows(`${prefix}Tasks`)).map((t) => `${String(t.JobId)}/${String(t.TaskId)}`);
    // The job that moved kept its task's state, so each of the 60 tasks has one row.
    assert.equal(tasks.length, 60);
    assert.equal(new Set(tasks).size, 60);
    const events = (await rows(`${prefix}Events`)).filter((e) => e.PrinterId === printerId);
    const seen = events.map((e) => `${String(e.JobId)}#${String(e.Sequence)}`).sort();
    assert.deepEqual(seen, history.map((r) => `${String(r.JobId)}#${String(r.Sequence)}`).sort());
  });

  test("the next run records the jobs the moving list skipped, and nothing twice", async () => {
    const next = await runAudit(prefix);
    assert.deepEqual(
      next.map((r) => r.Status),
      ["succeeded"],
    );
    const states = statesByJob(await rows(`${prefix}Jobs`));
    assert.equal(states.size, 65);
    for (const n of arriving) assert.equal(states.get(String(n))?.length, 1, `job ${n}`);
    assert.deepEqual(states.get("16"), ["paused", "processing"]);
    assert.equal(rig.azurite!.tables.takeCounts().refused, 0, JSON.stringify(rig.azurite!.tables.refusals));
  });
});

describe("the first run of a printer with many jobs", () => {
  const printerId = printerIdFor(72);
  const jobCount = 500;

  test("costs at most half a Table request per job, its rows written in transactions of many rows", async () => {
    rig.sim.addPrinter({ id: printerId, displayName: "Busy printer", manufacturer: "Contoso", model: "Model P" });
    for (let n = 1; n <= jobCount; n++) rig.sim.addJob(printerId, makeJob(printerId, n, { tasks: 1 }));
    rig.sim.pageSize = 50;
    const prefix = auditOnly(printerId);
    rig.azurite!.tables.takeCounts();
    const run = await runAudit(prefix);
    const counts = rig.azurite!.tables.takeCounts();
    assert.deepEqual(
      run.map((r) => r.Status),
      ["succeeded"],
    );
    assert.equal((await rows(`${prefix}Current`)).length, jobCount);
    assert.equal(counts.refused, 0);
    const perJob = counts.requests / jobCount;
    console.log(
      `first run of ${jobCount} jobs: ${perJob.toFixed(2)} Table requests per job (${counts.requests}: ` +
        `${counts.batch} transactions of ${counts.batchOperations} rows, ` +
        `${counts.insert + counts.upsertOrMerge + counts.delete} single writes, ${counts.query} queries, ` +
        `${counts.pointRead} point reads, ${counts.table} table calls)`,
    );
    assert.ok(perJob <= 0.5, `${perJob.toFixed(2)} Table requests per job`);
    assert.ok(counts.batchOperations / counts.batch >= 50, "transactions of 50 rows or more on average");
  });
});
