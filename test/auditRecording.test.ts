import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { newRunId, runIdPattern } from "../src/audit/keys";
import { auditFaultPoints } from "../src/audit/recorder";
import { runScheduledAudit, serveAuditQueues } from "./rig/auditedApp";
import { startRig, type Rig } from "./rig/rig";
import { addGeneratedTenant, makeJob, printerIdFor } from "../sandbox/tenant";

let rig: Rig;
let printers: string[];
const missingPrinter = "0badc0de-0000-4000-8000-000000000404";
let prefixCounter = 0;
let prefix = "";

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 5 } });
  printers = addGeneratedTenant(rig.sim, { printers: 3, jobsPerPrinter: 12, tasksPerJob: 2 });
  await serveAuditQueues(rig);
});
after(async () => {
  await rig.stop();
});
beforeEach(() => {
  rig.sim.clearFaults();
  delete auditFaultPoints.beforeCurrentStateWrite;
});

/** A fresh set of audit tables for a test that needs to start from nothing. */
function freshTables(env: Record<string, string | undefined> = {}): void {
  prefix = `t${++prefixCounter}x${Date.now().toString(36)}`;
  rig.configure({
    AUDIT_TABLE_PREFIX: prefix,
    AUDIT_PRINTER_IDS: printers.join(","),
    AUDIT_REDACT_USERS: undefined,
    AUDIT_OMIT_DOCUMENT_NAMES: undefined,
    AUDIT_HASH_KEY: undefined,
    ...env,
  });
}

function table(suffix: "Jobs" | "Tasks" | "Current" | "Runs"): TableClient {
  return TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${suffix}`, {
    allowInsecureConnection: true,
  });
}

/** How many jobs Graph holds on the audited printers now. */
function graphJobs(printerIds = printers): number {
  return printerIds.reduce((n, p) => n + (rig.sim.printers.get(p)?.jobs.size ?? 0), 0);
}

async function rows(suffix: "Jobs" | "Tasks" | "Current" | "Runs", filter?: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const e of table(suffix).listEntities({ queryOptions: { filter } })) out.push(e);
  return out;
}

/** One scheduled run, end to end: the timer fans out, the queue trigger audits each printer; resolves when the queues are idle. */
async function runAudit(): Promise<Record<string, any>[]> {
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  const runs = await rows("Runs");
  // Run rows only: the index backfill keeps its progress in the same table under its own partition.
  const latest = runs
    .map((r) => r.partitionKey as string)
    .filter((p) => runIdPattern.test(p))
    .sort()
    .at(-1)!;
  return runs.filter((r) => r.partitionKey === latest);
}

describe("a run records every job and task of several printers", () => {
  before(() => freshTables());

  test("every job and task, job ids repeating across printers", async () => {
    const runRows = await runAudit();
    assert.equal(runRows.length, 3);
    assert.ok(
      runRows.every((r) => r.Status === "succeeded"),
      JSON.stringify(runRows.map((r) => [r.Status, r.LastError])),
    );
    assert.deepEqual(
      runRows.map((r) => r.JobsSeen),
      [12, 12, 12],
    );
    const jobs = await rows("Jobs");
    assert.equal(jobs.length, 36);
    for (const printerId of printers) {
      const ids = jobs
        .filter((j) => j.PrinterId === printerId)
        .map((j) => j.JobId)
        .sort((a, b) => Number(a) - Number(b));
      assert.deepEqual(
        ids,
        Array.from({ length: 12 }, (_, i) => String(i + 1)),
        "job ids 1..12 on every printer",
      );
    }
    const tasks = await rows("Tasks");
    assert.equal(tasks.length, 72);
    assert.equal((await rows("Current")).length, 36);
    const job = jobs.find((j) => j.PrinterId === printers[1] && j.JobId === "3")!;
    const graphJob = rig.sim.job(printers[1]!, "3");
    assert.equal(job.PrinterName, "Printer 2");
    assert.equal(job.JobState, graphJob.status!.state);
    assert.equal(job.CreatedBy, graphJob.createdBy!.userPrincipalName);
    assert.equal(job.CreatedDateTime, graphJob.createdDateTime);
    assert.equal(job.Copies, graphJob.configuration!.copies);
    assert.equal(job.DocumentCount, 1);
    assert.equal(job.DocumentNames, "Report 3.pdf");
    assert.equal(job.TaskCount, 2);
    assert.equal(job.Sequence, 1);
  });

  test("a second run with nothing changed writes no history rows and fetches only unfinished jobs", async () => {
    const jobsBefore = (await rows("Jobs")).length;
    const tasksBefore = (await rows("Tasks")).length;
    const requestsBefore = rig.sim.requests.length;
    const runRows = await runAudit();
    assert.ok(runRows.every((r) => r.Status === "succeeded" && r.ChangesWritten === 0 && r.TaskRowsWritten === 0));
    assert.equal((await rows("Jobs")).length, jobsBefore);
    assert.equal((await rows("Tasks")).length, tasksBefore);
    const sent = rig.sim.requests.slice(requestsBefore);
    const unfinished = printers
      .flatMap((p) => [...rig.sim.printers.get(p)!.jobs.values()])
      .filter((j) => !["completed", "canceled", "aborted"].includes(j.status!.state!));
    assert.equal(
      sent.filter((r) => r.inBatch).length,
      unfinished.length,
      "one $batch GET per unfinished job, none for finished ones",
    );
    assert.ok(sent.filter((r) => r.inBatch).every((r) => /\$expand=tasks/.test(decodeURIComponent(r.query))));
    const listPages = sent.filter((r) => !r.inBatch && /\/jobs$/.test(r.path)).length;
    assert.equal(listPages, 3 * 3, "12 jobs at 5 a page: 3 pages per printer");
    const fullBatches = printers.reduce(
      (n, p) => n + Math.ceil(unfinished.filter((j) => rig.sim.printers.get(p)!.jobs.get(j.id!) === j).length / 20),
      0,
    );
    assert.equal(
      sent.filter((r) => !r.inBatch && r.path === "/$batch").length,
      fullBatches,
      "unfinished jobs of all pages share full $batch requests",
    );
    assert.equal(
      sent.filter((r) => !r.inBatch).length,
      listPages + fullBatches,
      "nothing else: no get printer when nothing is written",
    );
  });

  test("a state change adds a row and keeps the old one; a new job appears", async () => {
    const printerId = printers[0]!;
    const before = rig.sim.job(printerId, "1").status!.state;
    rig.sim.setJobState(printerId, "1", "completed", { details: ["completedSuccessfully"], isAcquiredByPrinter: true });
    rig.sim.addJob(printers[2]!, makeJob(printers[2]!, 100, { tasks: 1, state: "pending" }));
    const runRows = await runAudit();
    assert.equal(runRows.find((r) => r.PrinterId === printerId)!.ChangesWritten, 1);
    const history = (await rows("Jobs"))
      .filter((j) => j.PrinterId === printerId && j.JobId === "1")
      .sort((a, b) => a.Sequence - b.Sequence);
    assert.deepEqual(
      history.map((h) => h.JobState),
      [before, "completed"],
    );
    assert.deepEqual(
      history.map((h) => h.Sequence),
      [1, 2],
    );
    const added = (await rows("Jobs")).filter((j) => j.PrinterId === printers[2] && j.JobId === "100");
    assert.equal(added.length, 1);
    assert.equal(added[0]!.JobState, "pending");
    assert.equal((await rows("Tasks")).filter((t) => t.PrinterId === printers[2] && t.JobId === "100").length, 1);
  });

  test("a task state change adds a task row", async () => {
    const printerId = printers[0]!;
    const job = rig.sim.job(printerId, "2");
    job.tasks![0]!.status = { state: "completed", description: "Done." };
    await runAudit();
    const taskRows = (await rows("Tasks")).filter((t) => t.PrinterId === printerId && t.JobId === "2");
    assert.equal(taskRows.length, 3, "two first rows, one for the changed task");
    assert.deepEqual(
      taskRows
        .filter((t) => t.TaskId === job.tasks![0]!.id)
        .map((t) => t.TaskState)
        .sort(),
      ["completed", "processing"],
    );
  });
});

describe("faults", () => {
  beforeEach(() => freshTables());

  test("a crash between the history writes and the current-state writes, then a re-run: no duplicates, no gap", async () => {
    await runAudit();
    const printerId = printers[1]!;
    rig.sim.setJobState(printerId, "2", "completed");
    let crashes = 0;
    auditFaultPoints.beforeCurrentStateWrite = (p) => {
      if (p === printerId && crashes++ === 0) {
        // A further change lands between the crash and the re-run.
        rig.sim.setJobState(printerId, "4", "aborted");
        throw new Error("simulated crash before the current-state write");
      }
    };
    rig.sim.setJobState(printerId, "4", "processing", { description: "Printing page 1." });
    const runRows = await runAudit();
    const run = runRows.find((r) => r.PrinterId === printerId)!;
    assert.equal(run.Status, "succeeded");
    assert.equal(run.Attempts, 2, "the host retried the message once");
    const history = (await rows("Jobs")).filter((j) => j.PrinterId === printerId);
    const keys = history.map((h) => `${h.JobId}|${h.JobState}|${h.JobStateDescription}`);
    assert.equal(new Set(keys).size, keys.length, "no duplicate rows");
    const job2 = history.filter((h) => h.JobId === "2").map((h) => h.JobState);
    assert.equal(job2.length, 2);
    assert.equal(job2.filter((s) => s === "completed").length, 1);
    const job4 = history
      .filter((h) => h.JobId === "4")
      .sort((a, b) => a.Sequence - b.Sequence || a.ObservedDateTime.localeCompare(b.ObservedDateTime));
    assert.deepEqual(
      job4.map((h) => h.JobState).slice(1),
      ["processing", "aborted"],
      "the state seen before the crash and the one after both stay",
    );
    const current = await table("Current").getEntity(printerId, "4");
    assert.equal(current.JobState, "aborted");
  });

  test("two runs of one printer at once: no duplicate, and the current state never moves backwards", async () => {
    await runAudit();
    const printerId = printers[2]!;
    const before = rig.sim.job(printerId, "5").status!.state;
    rig.sim.setJobState(printerId, "5", "completed");
    const message = { runId: newRunId(), printerId };
    const outcomes = await Promise.allSettled([
      rig.host.invokeQueue("auditPrinter", message),
      rig.host.invokeQueue("auditPrinter", message),
    ]);
    assert.ok(outcomes.some((o) => o.status === "fulfilled"));
    for (const o of outcomes)
      if (o.status === "rejected") assert.equal((o.reason as Error).name, "CurrentStateConflictError");
    await rig.host.invokeQueue("auditPrinter", message, { dequeueCount: 2 });
    const history = (await rows("Jobs")).filter((j) => j.PrinterId === printerId && j.JobId === "5");
    assert.deepEqual(history.map((h) => h.JobState).sort(), [before, "completed"].sort());
    assert.equal((await table("Current").getEntity(printerId, "5")).JobState, "completed");
  });

  test("429s and 503s inside $batch are waited out within the run", async () => {
    rig.sim.inject({ inBatch: true, path: /\/jobs\//, status: 429, retryAfter: 0, times: 6 });
    rig.sim.inject({ inBatch: true, path: /\/jobs\//, status: 503, retryAfter: 0, times: 6 });
    const runRows = await runAudit();
    assert.ok(runRows.every((r) => r.Status === "succeeded" && r.Attempts === 1));
    assert.equal((await rows("Jobs")).length, graphJobs());
  });

  test("a Graph outage longer than every attempt poisons the run row; the next run records everything", async () => {
    const printerId = printers[0]!;
    rig.sim.inject({ inBatch: true, path: new RegExp(`/printers/${printerId}/jobs/`), status: 503 });
    const broken = await runAudit();
    const poisoned = broken.find((r) => r.PrinterId === printerId)!;
    assert.equal(poisoned.Status, "poisoned");
    assert.equal(poisoned.Attempts, 5);
    assert.match(poisoned.LastError, /503/);
    assert.ok(
      broken.filter((r) => r.PrinterId !== printerId).every((r) => r.Status === "succeeded"),
      "the other printers are done",
    );
    assert.ok(
      rig.host.logs.some(
        (l) => l.level === "error" && l.message.includes(`AuditRunFailed run=${poisoned.RunId} printer=${printerId}`),
      ),
    );
    rig.sim.clearFaults();
    const next = await runAudit();
    assert.ok(next.every((r) => r.Status === "succeeded"));
    assert.equal(
      (await rows("Jobs")).filter((j) => j.PrinterId === printerId).length,
      12,
      "every job of the broken printer",
    );
    assert.equal((await rows("Tasks")).filter((t) => t.PrinterId === printerId).length, 24);
  });

  test("one failing printer does not stop the others", async () => {
    freshTables({ AUDIT_PRINTER_IDS: [...printers, missingPrinter].join(",") });
    const runRows = await runAudit();
    assert.equal(runRows.length, 4);
    const failed = runRows.find((r) => r.PrinterId === missingPrinter)!;
    assert.equal(failed.Status, "poisoned");
    assert.match(failed.LastError, /404/);
    assert.ok(runRows.filter((r) => r.PrinterId !== missingPrinter).every((r) => r.Status === "succeeded"));
    assert.equal((await rows("Jobs")).length, graphJobs());
  });

  test("a job whose id no URL can hold (a lone surrogate) is recorded as listed and noted; the printer's other jobs are audited", async () => {
    const printerId = printerIdFor(31);
    rig.sim.addPrinter({ id: printerId, displayName: "Lone surrogate" });
    for (let j = 1; j <= 6; j++) rig.sim.addJob(printerId, makeJob(printerId, j, { tasks: 1, state: "processing" }));
    rig.sim.addJob(printerId, { ...makeJob(printerId, 7, { tasks: 1, state: "processing" }), id: "bad\ud800id" });
    freshTables({ AUDIT_PRINTER_IDS: printerId });
    const logsBefore = rig.host.logs.length;
    const [run] = await runAudit();
    assert.equal(run!.Status, "succeeded", run!.LastError);
    const jobs = await rows("Jobs");
    assert.equal(jobs.length, 7, "every job, the unaddressable one too");
    assert.ok(jobs.some((r) => r.JobId === "bad\ud800id"));
    assert.equal((await rows("Tasks")).length, 6, "the tasks of every job that could be read");
    assert.ok(
      rig.host.logs
        .slice(logsBefore)
        .some((l) => /unexpected shape/.test(l.message) && /value\[\]\.id/.test(l.message)),
      "the run says which field Graph sent malformed",
    );
  });
});

describe("oversize data and privacy", () => {
  test("a job with 400 tasks and a 100 KB description fits", async () => {
    freshTables({ AUDIT_PRINTER_IDS: printerIdFor(9) });
    rig.sim.addPrinter({ id: printerIdFor(9), displayName: "Big printer" });
    rig.sim.addJob(
      printerIdFor(9),
      makeJob(printerIdFor(9), 1, { tasks: 400, description: "d".repeat(100_000), state: "processing" }),
    );
    const runRows = await runAudit();
    assert.equal(runRows[0]!.Status, "succeeded", runRows[0]!.LastError);
    const tasks = await rows("Tasks");
    assert.equal(tasks.length, 400);
    const [job] = await rows("Jobs");
    assert.equal(job!.TaskCount, 400);
    assert.ok(job!.JobStateDescription.length <= 32_000);
    assert.match(job!.JobStateDescription, /…\[truncated \d+ of 100000 characters\]$/);
  });

  test("AUDIT_REDACT_USERS=hash keeps HMAC hashes, never the UPN or name", async () => {
    freshTables({
      AUDIT_REDACT_USERS: "hash",
      AUDIT_HASH_KEY: Buffer.from("pepper-".repeat(6) + "0123456789abcdef").toString("base64"),
    });
    await runAudit();
    const jobs = await rows("Jobs");
    assert.ok(
      jobs.every(
        (j) =>
          /^[0-9a-f]{64}$/.test(j.CreatedBy) && /^[0-9a-f]{64}$/.test(j.CreatedById) && j.CreatedByName === undefined,
      ),
    );
    const text = JSON.stringify([...jobs, ...(await rows("Current"))]);
    assert.doesNotMatch(text, /contoso\.com|John Smith/);
  });

  test("AUDIT_REDACT_USERS=omit and AUDIT_OMIT_DOCUMENT_NAMES leave users and document names out", async () => {
    freshTables({ AUDIT_REDACT_USERS: "omit", AUDIT_OMIT_DOCUMENT_NAMES: "true" });
    await runAudit();
    const jobs = await rows("Jobs");
    assert.equal(jobs.length, graphJobs());
    assert.ok(
      jobs.every(
        (j) =>
          j.CreatedBy === undefined &&
          j.CreatedById === undefined &&
          j.CreatedByName === undefined &&
          j.DocumentNames === undefined,
      ),
    );
    assert.ok(
      jobs.every((j) => j.DocumentCount === 1),
      "the count and size stay",
    );
  });
});

describe("scope and schedule", () => {
  test("nothing to audit says which setting to set", async () => {
    freshTables({ AUDIT_PRINTER_IDS: "" });
    await rig.host.fireTimer("auditTimer");
    assert.ok(
      rig.host.logs.some(
        (l) => l.functionName === "auditTimer" && l.level === "warning" && /AUDIT_PRINTER_IDS/.test(l.message),
      ),
    );
  });

  test("discovery falls back to AUDIT_PRINTER_IDS with a warning when listing printers is refused, and uses it where allowed", async () => {
    freshTables({ AUDIT_PRINTER_IDS: printers[0]!, AUDIT_DISCOVER_PRINTERS: "true" });
    let runRows = await runAudit();
    assert.deepEqual(
      runRows.map((r) => r.PrinterId),
      [printers[0]],
    );
    assert.ok(rig.host.logs.some((l) => l.level === "warning" && /AUDIT_DISCOVER_PRINTERS=true but/.test(l.message)));
    rig.sim.allowAppOnlyPrinterListing = true;
    try {
      runRows = await runAudit();
      assert.deepEqual(runRows.map((r) => r.PrinterId).sort(), [...rig.sim.printers.keys()].sort());
    } finally {
      rig.sim.allowAppOnlyPrinterListing = false;
      rig.configure({ AUDIT_DISCOVER_PRINTERS: undefined });
    }
  });

  test("a past-due run still runs and is marked", async () => {
    freshTables();
    await rig.host.fireTimer("auditTimer", { isPastDue: true });
    await rig.host.waitForQueuesIdle();
    const runRows = (await rows("Runs")).filter((r) => runIdPattern.test(r.partitionKey));
    assert.ok(runRows.length === 3 && runRows.every((r) => r.PastDue === true && r.Status === "succeeded"));
    assert.ok(
      rig.host.logs.some((l) => l.functionName === "auditTimer" && l.level === "warning" && /past due/.test(l.message)),
    );
  });

  test("the registrations as the host sees them", () => {
    const binding = (name: string) =>
      Object.values(rig.host.registration(name).bindings).find((b) => b.direction === "in")!;
    assert.deepEqual(
      {
        type: binding("auditTimer").type,
        schedule: binding("auditTimer").schedule,
        useMonitor: binding("auditTimer").useMonitor,
        runOnStartup: binding("auditTimer").runOnStartup,
      },
      { type: "timerTrigger", schedule: "0 */10 * * * *", useMonitor: true, runOnStartup: false },
    );
    assert.deepEqual(
      {
        type: binding("auditRetention").type,
        schedule: binding("auditRetention").schedule,
        useMonitor: binding("auditRetention").useMonitor,
        runOnStartup: binding("auditRetention").runOnStartup,
      },
      { type: "timerTrigger", schedule: "0 30 3 * * *", useMonitor: true, runOnStartup: false },
    );
    assert.deepEqual(
      {
        type: binding("auditPrinter").type,
        queueName: binding("auditPrinter").queueName,
        connection: binding("auditPrinter").connection,
      },
      { type: "queueTrigger", queueName: "print-audit", connection: "AzureWebJobsStorage" },
    );
    assert.deepEqual(
      { queueName: binding("auditPoison").queueName, connection: binding("auditPoison").connection },
      { queueName: "print-audit-poison", connection: "AzureWebJobsStorage" },
    );
    const routes = rig.host.httpRoutes().filter((r) => r.route.startsWith("audit/") && r.name !== "auditViewer");
    assert.deepEqual(routes.map((r) => [r.name, r.route, r.methods.join(","), r.authLevel]).sort(), [
      ["auditSummaries", "audit/summaries", "GET", "function"],
      ["eraseAuditUser", "audit/erasures", "POST", "admin"],
      ["getAuditErasure", "audit/erasures/{erasureId}", "GET", "admin"],
      ["getAuditIntegrityCheck", "audit/integrity/checks/{checkId}", "GET", "admin"],
      ["getJobTimeline", "audit/printers/{printerId}/jobs/{jobId}", "GET", "function"],
      ["listAuditEvents", "audit/events", "GET", "function"],
      ["listAuditJobs", "audit/jobs", "GET", "function"],
      ["listAuditedPrinters", "audit/printers", "GET", "function"],
      ["onPrintJobFinished", "audit/triggers/jobFinished", "GET", "function"],
      ["onPrinterFailing", "audit/triggers/printerFailing", "GET", "function"],
      ["verifyAuditIntegrity", "audit/integrity", "GET", "admin"],
    ]);
  });

  test("a malformed message is dropped with AuditRunFailed, not retried", async () => {
    const queue = new QueueClient(rig.azurite!.connectionString, "print-audit");
    await queue.sendMessage("not json");
    await rig.host.waitForQueuesIdle();
    assert.ok(
      rig.host.logs.some((l) => l.functionName === "auditPrinter" && /AuditRunFailed .*not JSON/.test(l.message)),
    );
  });
});
