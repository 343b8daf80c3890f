/**
 * The Graph figures of the telemetry (requests, throttled answers, 403s, latency) as the Graph client counts them
 * for a unit of work: every try and retry, a 429 with its Retry-After, a throttled $batch sub-request, and nothing
 * counted for work outside a measured scope.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { type GraphClient } from "../../src/graph/client";
import { newGraphUsage, withGraphUsage, type GraphUsage } from "../../src/graph/usage";
import { type UniversalPrintSimulator } from "../../sandbox/graph/simulator";
import { printerIdFor } from "../../sandbox/tenant";
import { startGraphRig, type GraphRig } from "../rig/graphRig";

let sim: UniversalPrintSimulator;
let graph: GraphClient;
let rig: GraphRig;
const printerId = printerIdFor(1);

before(async () => {
  rig = await startGraphRig({
    pageSize: 5,
    jobsPerPrinter: 12,
    tasksPerJob: 1,
    clientId: "22222222-0000-4000-8000-000000000071",
  });
  ({ sim, graph } = rig);
});
after(() => rig.stop());
beforeEach(() => sim.clearFaults());

async function measured(work: () => Promise<unknown>): Promise<GraphUsage> {
  const usage = newGraphUsage();
  await withGraphUsage(usage, work).catch(() => undefined);
  return usage;
}

test("a list counts one request per page, with the time spent waiting", async () => {
  const usage = await measured(async () => {
    for await (const job of graph.listPrinterJobs(printerId)) void job;
  });
  assert.equal(usage.requests, 3, "12 jobs at 5 a page");
  assert.equal(usage.throttled, 0);
  assert.ok(usage.latencyMs >= usage.maxLatencyMs && usage.maxLatencyMs >= 0);
});

test("a 429 with Retry-After and its retry are two requests, one throttled", async () => {
  sim.inject({ path: /jobs\/1$/, status: 429, retryAfter: 0, times: 1, inBatch: false });
  const usage = await measured(() => graph.getPrintJob({ printerId, jobId: "1" }));
  assert.deepEqual([usage.requests, usage.throttled, usage.forbidden], [2, 1, 0]);
});

test("a 403 is counted as a refusal; a $batch sub-request throttled inside a 200 as throttled", async () => {
  sim.inject({ path: /jobs\/2$/, status: 403, code: "accessDenied", inBatch: false });
  const refused = await measured(() => graph.getPrintJob({ printerId, jobId: "2" }));
  assert.deepEqual([refused.requests, refused.forbidden], [1, 1]);
  sim.clearFaults();
  sim.inject({ path: /jobs\/3$/, status: 429, retryAfter: 0, times: 1, inBatch: true });
  const batched = await measured(() => graph.batch([{ id: "r3", url: `/print/printers/${printerId}/jobs/3` }]));
  assert.deepEqual(
    [batched.requests, batched.throttled],
    [2, 1],
    "the POST, its throttled sub-request, the POST again",
  );
});

test("work outside a measured scope, and concurrent scopes, do not count on each other", async () => {
  const [a, b] = await Promise.all([
    measured(() => graph.getPrintJob({ printerId, jobId: "4" })),
    measured(async () => {
      await graph.getPrintJob({ printerId, jobId: "5" });
      await graph.getPrintJob({ printerId, jobId: "6" });
    }),
  ]);
  assert.deepEqual([a.requests, b.requests], [1, 2]);
  await graph.getPrintJob({ printerId, jobId: "7" });
  assert.deepEqual([a.requests, b.requests], [1, 2], "a request after the scopes ended");
});
