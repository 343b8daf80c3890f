/**
 * The audit under Graph, identity and storage faults, one queue delivery per process (auditHarness.ts):
 * throttling storms in $batch and on list pages are waited out; a storm or an outage that outlasts the
 * retries records the run as failed, and the next delivery or run completes the record; the identity
 * endpoint down leaves a failed run row and no partial state; Azurite stopped mid-run and restarted
 * (persisted data) loses nothing and duplicates nothing; malformed jobs are recorded with what is known
 * and the problem is logged once per run. Every outcome is compared with a clean run's tables.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { newRunId } from "../../src/audit/keys";
import { devAccountKey } from "../../sandbox/azurite";
import { Figures } from "../rig/figures";
import { secretsIn } from "../rig/outputCapture";
import { makeJob } from "../../sandbox/tenant";
import {
  auditContents,
  auditProcessOutputs,
  compareContents,
  readTable,
  runAuditProcess,
  runRow,
  startAuditWorld,
  tablePrefixes,
  type AuditProcessOptions,
  type AuditWorld,
} from "./auditHarness";

let world: AuditWorld;
const figures = new Figures("audit-faults");
const printerId = "fa017000-0000-4000-8000-000000000001";
const nextPrefix = tablePrefixes("fault");
let runs = 0;
const nextRunId = (): string => newRunId(new Date(Date.UTC(2026, 10, 24, 7, 0, runs++)));
let reference: Record<string, string[]>;

function addTenant(w: AuditWorld): void {
  w.sim.addPrinter({ id: printerId, displayName: "Fault test printer" });
  for (let i = 1; i <= 24; i++) w.sim.addJob(printerId, makeJob(printerId, i, { tasks: 2 }));
}

before(async () => {
  world = await startAuditWorld({ pageSize: 10 });
  addTenant(world);
  const prefix = nextPrefix();
  const clean = await runAuditProcess(world, { prefix, runId: nextRunId(), printerId });
  assert.equal(clean.exitCode, 0, clean.output);
  reference = await auditContents(world, prefix, { ignoreRunId: true });
  assert.equal(reference.Jobs!.length, 24);
});
after(async () => {
  figures.set("faultsInjected", figures.get("faultsInjected") + world.sim.faultsServed);
  figures.print();
  await world.stop();
});

/** Every delivery logs verbosely (the app's lines and the Azure SDKs'), so the secrets check below has something to search. */
const verbose = { AUDIT_PROCESS_PRINT_LOGS: "1", AZURE_LOG_LEVEL: "verbose" };

async function deliver(w: AuditWorld, options: Omit<AuditProcessOptions, "printerId">) {
  const result = await runAuditProcess(w, { printerId, ...options, env: { ...verbose, ...options.env } });
  figures.add("deliveries");
  return result;
}

/** The tables equal the clean run's: nothing lost, nothing twice. */
async function assertComplete(w: AuditWorld, prefix: string, expected = reference): Promise<void> {
  const diff = compareContents(expected, await auditContents(w, prefix, { ignoreRunId: true }));
  figures.add("rowsLost", diff.missing);
  figures.add("duplicateRows", diff.duplicates);
  assert.deepEqual(
    { missing: diff.missing, extra: diff.extra, duplicates: diff.duplicates },
    { missing: 0, extra: 0, duplicates: 0 },
    diff.detail.join("\n"),
  );
}

describe("Graph faults during an audit", () => {
  test("a throttling storm in $batch (Retry-After 2 s) is waited out within the run", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: true, status: 429, retryAfter: 2, times: 30 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const result = await deliver(world, { prefix, runId });
    world.sim.clearFaults();
    assert.equal(result.exitCode, 0, result.output);
    assert.ok(result.report!.durationMs >= 2000, "it waited for the pause");
    assert.equal((await runRow(world, prefix, runId, printerId))?.Status, "succeeded");
    await assertComplete(world, prefix);
  });

  test("Graph asks for a 30 s pause in $batch: the audit waits it out (it has no caller waiting) and completes in the same delivery", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: true, status: 429, retryAfter: 30, times: 3 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const result = await deliver(world, { prefix, runId });
    world.sim.clearFaults();
    assert.equal(result.exitCode, 0, result.output);
    assert.ok(result.report!.durationMs >= 30_000, `waited ${result.report!.durationMs} ms`);
    assert.equal((await runRow(world, prefix, runId, printerId))?.Status, "succeeded");
    await assertComplete(world, prefix);
  });

  test("list pages throttled, 5xx bursts and a cut answer on top-level calls are retried within the run", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: false, path: /\/jobs$/, status: 429, retryAfter: 1, times: 1 });
    world.sim.inject({ inBatch: false, path: /\/jobs$/, status: 503, times: 1 });
    world.sim.inject({ inBatch: false, path: /\/\$batch$/, status: 502, times: 2 });
    world.sim.inject({ inBatch: false, path: /printers\/[^/]+$/, drop: "truncate", times: 1 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const result = await deliver(world, { prefix, runId });
    world.sim.clearFaults();
    assert.equal(result.exitCode, 0, result.output);
    await assertComplete(world, prefix);
  });

  test("a 5xx burst inside $batch is retried within the delivery, as the pipeline retries whole requests", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: true, status: 500, times: 5 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const delivery = await deliver(world, { prefix, runId });
    assert.equal(delivery.exitCode, 0, delivery.output);
    assert.equal((await runRow(world, prefix, runId, printerId))?.Status, "succeeded");
    await assertComplete(world, prefix);
  });

  test("5xx inside $batch that outlasts the retries: the delivery is recorded failed, the next one completes it", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: true, status: 500 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const failed = await deliver(world, { prefix, runId, env: { GRAPH_MAX_RETRIES: "1" } });
    assert.equal(failed.exitCode, 1);
    assert.equal((await runRow(world, prefix, runId, printerId))?.Status, "failed");
    world.sim.clearFaults();
    const again = await deliver(world, { prefix, runId, dequeueCount: 2 });
    assert.equal(again.exitCode, 0, again.output);
    await assertComplete(world, prefix);
  });

  test("a storm that outlasts the retries: the run is recorded failed, the next delivery completes it", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: true, status: 429, retryAfter: 1 });
    const prefix = nextPrefix();
    const runId = nextRunId();
    const failed = await deliver(world, { prefix, runId, env: { GRAPH_MAX_RETRIES: "1" } });
    assert.equal(failed.exitCode, 1, "the handler threw, so the host delivers the message again");
    const row = await runRow(world, prefix, runId, printerId);
    assert.equal(row?.Status, "failed");
    assert.match(row?.LastError, /429/);
    world.sim.clearFaults();
    const again = await deliver(world, { prefix, runId, dequeueCount: 2 });
    assert.equal(again.exitCode, 0, again.output);
    assert.equal((await runRow(world, prefix, runId, printerId))?.Status, "succeeded");
    await assertComplete(world, prefix);
  });

  test("an outage from the second list page on: failed run, and the next scheduled run completes the record", async () => {
    world.sim.clearFaults();
    world.sim.inject({ inBatch: false, path: /\/jobs$/, times: 1 }); // the first page passes
    world.sim.inject({ inBatch: false, path: /\/jobs$/, status: 503 });
    const prefix = nextPrefix();
    const first = nextRunId();
    const failed = await deliver(world, { prefix, runId: first });
    assert.equal(failed.exitCode, 1);
    const row = await runRow(world, prefix, first, printerId);
    assert.equal(row?.Status, "failed");
    assert.match(row?.LastError, /503/);
    assert.ok((await readTable(world, prefix, "Jobs")).length < 24, "the run stopped part way");
    world.sim.clearFaults();
    const next = nextRunId();
    assert.equal((await deliver(world, { prefix, runId: next })).exitCode, 0);
    assert.equal((await runRow(world, prefix, next, printerId))?.Status, "succeeded");
    await assertComplete(world, prefix);
  });
});

describe("the managed identity during an audit", () => {
  for (const fault of ["down", "slow"] as const) {
    test(`identity endpoint ${fault}: the run is recorded failed with no partial state; the next delivery records everything`, async () => {
      world.sim.clearFaults();
      if (fault === "down") world.identity.down = true;
      else world.identity.delayMs = 3000;
      figures.add("faultsInjected");
      const prefix = nextPrefix();
      const runId = nextRunId();
      const graphBefore = world.sim.requests.length;
      const failed = await deliver(world, { prefix, runId, env: { GRAPH_TRY_TIMEOUT_MS: "1000" } });
      world.identity.down = false;
      world.identity.delayMs = 0;
      assert.equal(failed.exitCode, 1, failed.output);
      const row = await runRow(world, prefix, runId, printerId);
      assert.equal(row?.Status, "failed");
      assert.match(row?.LastError, /identity/i);
      for (const name of ["Jobs", "Tasks", "Current"] as const)
        assert.deepEqual(await readTable(world, prefix, name), [], `no partial state in ${name}`);
      assert.equal(world.sim.requests.length, graphBefore, "nothing reached Graph");
      const again = await deliver(world, { prefix, runId, dequeueCount: 2 });
      assert.equal(again.exitCode, 0, again.output);
      await assertComplete(world, prefix);
    });
  }
});

describe("malformed Graph data during an audit", () => {
  test("recorded with what is known; the problem logged once per run, not per row", async () => {
    const id = "bad0da7a-0000-4000-8000-000000000001";
    world.sim.addPrinter({ id, displayName: "Malformed" });
    for (let i = 1; i <= 30; i++) {
      const job: Record<string, unknown> = { ...makeJob(id, i, { tasks: 1 }) };
      if (i % 3 === 0)
        job.status = {
          state: i % 2 ? "unknownFutureValue" : "quantumJam",
          description: "é".repeat(60_000),
          details: "notAnArray",
        };
      if (i % 4 === 0) job.createdBy = 42;
      if (i % 5 === 0)
        Object.assign(job, { configuration: "color", errorCode: "four", isFetchable: "maybe", documents: [null, 7] });
      if (i % 7 === 0)
        Object.assign(job, { createdDateTime: null, status: null, tasks: [{ id: null, status: "done" }] });
      world.sim.addJob(id, job as never);
    }
    const prefix = nextPrefix();
    const runId = nextRunId();
    const result = await runAuditProcess(world, { prefix, runId, printerId: id });
    figures.add("deliveries");
    assert.equal(result.exitCode, 0, result.output);
    const jobs = await readTable(world, prefix, "Jobs");
    assert.equal(new Set(jobs.map((j) => j.JobId)).size, 30, "every job is recorded");
    assert.ok(
      jobs.some((j) => j.JobState === "quantumJam") && jobs.some((j) => j.JobState === "unknownFutureValue"),
      "unknown states survive as text",
    );
    const warnings = result.report!.warnings.filter((w) => /unexpected shape/.test(w));
    assert.equal(warnings.length, 1, `logged once: ${JSON.stringify(result.report!.warnings)}`);
    assert.ok(warnings[0]!.length < 2000);
    figures.add("malformedJobsRecorded", 30);
  });
});

describe("storage stopped mid-run and restarted", () => {
  let persisted: AuditWorld;
  let location: string;
  let persistedReference: Record<string, string[]>;

  before(async () => {
    location = mkdtempSync(join(tmpdir(), "upj-azurite-"));
    persisted = await startAuditWorld({ location, pageSize: 10 });
    addTenant(persisted);
    const prefix = nextPrefix();
    assert.equal((await deliver(persisted, { prefix, runId: nextRunId() })).exitCode, 0);
    persistedReference = await auditContents(persisted, prefix, { ignoreRunId: true });
  });
  after(async () => {
    await persisted.stop();
    rmSync(location, { recursive: true, force: true });
  });

  for (const [name, outageMs, atCall] of [
    ["briefly (2 s, within the SDK's retries)", 2000, 12],
    ["for longer than the retries (12 s)", 12_000, 9],
  ] as const) {
    test(`Azurite stopped ${name} at call ${atCall}: no loss, no duplicates once it is back`, async () => {
      const prefix = nextPrefix();
      const runId = nextRunId();
      let restarted: Promise<unknown> | undefined;
      const first = await deliver(persisted, {
        prefix,
        runId,
        onCall: async (n) => {
          if (n !== atCall) return;
          await persisted.azurite.stop({ graceful: true });
          figures.add("faultsInjected");
          restarted = new Promise((resolve) => setTimeout(resolve, outageMs)).then(() => persisted.azurite.start());
        },
      });
      await restarted;
      if (first.exitCode !== 0) {
        // The delivery failed while storage was away: the host delivers the message again.
        const again = await deliver(persisted, { prefix, runId, dequeueCount: 2 });
        assert.equal(again.exitCode, 0, again.output);
      }
      assert.equal((await runRow(persisted, prefix, runId, printerId))?.Status, "succeeded");
      await assertComplete(persisted, prefix, persistedReference);
      figures.add("storageOutagesSurvived");
    });
  }
});

describe("secrets in the audit's output", () => {
  test("no token, identity header, account key, connection string or Bearer in anything an audit process wrote", () => {
    const text = auditProcessOutputs.join("\n");
    assert.match(text, /auditPrinter/, "the app's log lines were captured");
    assert.match(text, /azure:core-rest-pipeline/, "the SDKs' verbose log was captured");
    const secrets: Record<string, string> = {
      "identity header": world.identity.header,
      "storage account key": devAccountKey,
      "Bearer ": "Bearer ",
    };
    world.identity.issuedTokens.forEach((token, i) => (secrets[`token ${i}`] = token.split(".")[2]!));
    assert.ok(world.identity.issuedTokens.length > 0);
    assert.deepEqual(secretsIn(text, secrets), []);
    figures.set("outputBytesSearchedForSecrets", Buffer.byteLength(text));
    figures.set("secretsFound", 0);
  });
});
