/**
 * The daily summaries when two deliveries of one printer run at once (and the host retries the loser): the
 * summaries the route reads equal a full scan of the recorded history, and so do the rows the recorder left
 * fresh. (Under crashes they are checked at every crash point of auditCrash.test.ts, with the same oracle.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeJob } from "../../sandbox/tenant";
import {
  firstRunId,
  laterRunId,
  runAuditProcess,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
} from "./auditHarness";
import { summariesProblems } from "./summariesOracle";

let world: AuditWorld;
const printerId = "5a3a0000-0000-4000-8000-000000000001";
const nextPrefix = tablePrefixes("sumrace");
const days = { from: "2026-11-18", to: "2026-11-22" };

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

before(async () => {
  world = await startAuditWorld({ pageSize: 10 });
  world.sim.addPrinter({ id: printerId, displayName: "Summary race printer" });
});

after(async () => {
  await world.stop();
});

describe("daily summaries under concurrent runs", () => {
  test("a clean first and later run: the summaries equal a full scan", async () => {
    const prefix = nextPrefix();
    tenantStateA();
    assert.equal((await runAuditProcess(world, { prefix, runId: firstRunId, printerId })).exitCode, 0);
    assert.deepEqual(await summariesProblems(world, prefix, days), []);
    tenantStateB();
    const second = await runAuditProcess(world, { prefix, runId: laterRunId, printerId });
    assert.equal(second.exitCode, 0, second.output);
    assert.deepEqual(await summariesProblems(world, prefix, days), []);
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
    assert.deepEqual(await summariesProblems(world, prefix, days), []);
  });
});
