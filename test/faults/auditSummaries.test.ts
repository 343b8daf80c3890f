/**
 * The daily summaries under the audit's failure model, with the audit in a process of its own: killed
 * (SIGKILL) just before and just after each of its calls in a run that moves jobs on, then the message
 * delivered again; and two deliveries of one printer at once. Each time the summaries the route reads equal
 * a full scan of the recorded history (Azurite as the oracle), and the rows the recorder left fresh equal it too.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { AuditStore } from "../../src/audit/store";
import { dayRowKey, summaryOfRow } from "../../src/audit/summaries";
import { readSummaries } from "../../src/audit/read";
import { makeJob } from "../../sandbox/tenant";
import {
  crashPoints,
  failedCrashPoints,
  firstRunId,
  laterRunId,
  readTable,
  recordCleanRuns,
  runAuditProcess,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
} from "./auditHarness";

let world: AuditWorld;
const printerId = "5a3a0000-0000-4000-8000-000000000001";
const nextPrefix = tablePrefixes("sumcrash");
const parallel = Number(process.env.CRASH_PARALLEL ?? 6);
const privacy = { redactUsers: "none" as const, omitDocumentNames: false, hashSalt: "" };

/** State A: 18 jobs over three UTC days, every state. */
function tenantStateA(): void {
  const printer = world.sim.printers.get(printerId)!;
  printer.jobs.clear();
  for (let i = 1; i <= 18; i++)
    world.sim.addJob(
      printerId,
      makeJob(printerId, i, {
        tasks: 1,
        createdDateTime: new Date(Date.UTC(2026, 10, 19 + (i % 3), 9, i)).toISOString(),
      }),
    );
}

/** State B: five jobs move on (two change day counts from one state to another), three new jobs arrive. */
function tenantStateB(): void {
  tenantStateA();
  for (const id of ["1", "2", "3", "9", "10"])
    world.sim.setJobState(printerId, id, id === "3" ? "aborted" : "completed");
  for (let i = 19; i <= 21; i++)
    world.sim.addJob(
      printerId,
      makeJob(printerId, i, { tasks: 1, createdDateTime: new Date(Date.UTC(2026, 10, 21, 10, i)).toISOString() }),
    );
}

function storeOf(prefix: string): AuditStore {
  return new AuditStore(prefix, (name) =>
    TableClient.fromConnectionString(world.azurite.connectionString, name, { allowInsecureConnection: true }),
  );
}

/** The oracle: each job's latest recorded observation in the history, counted by created UTC day and state. */
async function scan(prefix: string): Promise<Record<string, Record<string, number>>> {
  const latest = new Map<string, Record<string, any>>();
  for (const row of await readTable(world, prefix, "Jobs")) {
    const seen = latest.get(row.JobId);
    if (
      !seen ||
      row.Sequence > seen.Sequence ||
      (row.Sequence === seen.Sequence && row.ObservedDateTime > seen.ObservedDateTime)
    )
      latest.set(row.JobId, row);
  }
  const days: Record<string, Record<string, number>> = {};
  for (const row of latest.values()) {
    const day = String(row.CreatedDateTime).slice(0, 10);
    days[day] ??= {};
    days[day]![row.JobState] = (days[day]![row.JobState] ?? 0) + 1;
  }
  return days;
}

/** What went wrong with the summaries of one table set (nothing, when they hold). */
async function check(prefix: string): Promise<string[]> {
  const problems: string[] = [];
  const oracle = await scan(prefix);
  // Rows the recorder left fresh must already be exact; rows left marked are recomputed by the read below.
  const sorted = (o: Record<string, Record<string, number>>): string =>
    JSON.stringify(
      Object.entries(o)
        .sort()
        .map(([d, st]) => [d, Object.entries(st).sort()]),
    );
  const stored = await readTable(world, prefix, "Summaries" as never);
  for (const row of stored.filter((r) => r.Dirty !== true && r.rowKey !== dayRowKey)) {
    const s = summaryOfRow(row);
    if (sorted({ [s.day]: s.states }) !== sorted({ [s.day]: oracle[s.day] ?? {} }))
      problems.push(`stored ${s.day}: ${JSON.stringify(s.states)} vs scan ${JSON.stringify(oracle[s.day])}`);
  }
  // Three reads: the first repairs what was left marked, the second fills the day rows, the third reads them.
  for (let i = 0; i < 3; i++) {
    const answer = await readSummaries(storeOf(prefix), { from: "2026-11-18", to: "2026-11-22", top: 10 }, privacy);
    const read = Object.fromEntries(answer.days.filter((d) => d.jobs > 0).map((d) => [d.day, d.states]));
    if (sorted(read) !== sorted(oracle)) problems.push(`read ${i + 1}: ${sorted(read)} vs scan ${sorted(oracle)}`);
  }
  return problems;
}

let callsB = 0;

before(async () => {
  world = await startAuditWorld({ pageSize: 10 });
  world.sim.addPrinter({ id: printerId, displayName: "Summary crash printer" });
  const prefix = nextPrefix();
  tenantStateA();
  assert.equal((await runAuditProcess(world, { prefix, runId: firstRunId, printerId })).exitCode, 0);
  tenantStateB();
  const second = await runAuditProcess(world, { prefix, runId: laterRunId, printerId });
  assert.equal(second.exitCode, 0, second.output);
  callsB = second.calls;
  assert.deepEqual(await check(prefix), []);
});

after(async () => {
  await world.stop();
});

describe("daily summaries under crashes and concurrent runs", () => {
  test("a run that moves jobs on, killed before and after each call, then delivered again: the summaries equal a full scan", async () => {
    const points = crashPoints(callsB);
    const prefixesB = points.map(() => nextPrefix());
    tenantStateA();
    await recordCleanRuns(world, prefixesB, { runId: firstRunId, printerId }, parallel);
    tenantStateB();
    const failures = await failedCrashPoints(points, parallel, async ({ call, when }, i) => {
      const prefix = prefixesB[i]!;
      const problems: string[] = [];
      const crashed = await runAuditProcess(world, { prefix, runId: laterRunId, printerId, crashAt: { call, when } });
      if (crashed.killedAt !== call) problems.push("not killed there");
      const again = await runAuditProcess(world, { prefix, runId: laterRunId, printerId, dequeueCount: 2 });
      if (again.exitCode !== 0) problems.push("the redelivery failed");
      return [...problems, ...(await check(prefix))];
    });
    assert.ok(points.length >= 30, `${points.length} crash points`);
    assert.deepEqual(failures, []);
  });

  test("two deliveries of one printer at once (and again, as the host retries the loser): the summaries equal a full scan", async () => {
    const prefix = nextPrefix();
    tenantStateA();
    assert.equal((await runAuditProcess(world, { prefix, runId: firstRunId, printerId })).exitCode, 0);
    tenantStateB();
    const both = await Promise.all([
      runAuditProcess(world, { prefix, runId: laterRunId, printerId }),
      runAuditProcess(world, { prefix, runId: laterRunId, printerId }),
    ]);
    if (both.some((r) => r.exitCode !== 0))
      assert.equal(
        (await runAuditProcess(world, { prefix, runId: laterRunId, printerId, dequeueCount: 2 })).exitCode,
        0,
      );
    assert.deepEqual(await check(prefix), []);
  });
});
