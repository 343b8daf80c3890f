/**
 * The Graph figures of the telemetry (requests, throttled answers, 403s, latency) as the Graph client counts them
 * for a unit of work: every try and retry, a 429 with its Retry-After, a throttled $batch sub-request, and nothing
 * counted for work outside a measured scope.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { newGraphUsage, withGraphUsage, type GraphUsage } from "../../src/graph/usage";
import { printerIdFor } from "../../sandbox/tenant";
import { useGraphRig } from "../rig/graphRig";

const rig = useGraphRig({
  pageSize: 5,
  jobsPerPrinter: 12,
  tasksPerJob: 1,
  clientId: "22222222-0000-4000-8000-000000000071",
});
const printerId = printerIdFor(1);

async function measured(work: () => Promise<unknown>): Promise<GraphUsage> {
  const usage = newGraphUsage();
  await withGraphUsage(usage, work).catch(() => undefined);
  return usage;
}

test("a list counts one request per page, with the time spent waiting", async () => {
  const usage = await measured(async () => {
    for await (const job of rig.graph.listPrinterJobs(printerId)) void job;
  });
  assert.equal(usage.requests, 3, "12 jobs at 5 a page");
  assert.equal(usage.throttled, 0);
  assert.ok(usage.latencyMs >= usage.maxLatencyMs && usage.maxLatencyMs >= 0);
});

test("a 429 with Retry-After and its retry are two requests, one throttled", async () => {
  rig.sim.inject({ path: /jobs\/1$/, status: 429, retryAfter: 0, times: 1, inBatch: false });
  const usage = await measured(() => rig.graph.getPrintJob({ printerId, jobId: "1" }));
  assert.deepEqual([usage.requests, usage.throttled, usage.forbidden], [2, 1, 0]);
});

test("a 403 is counted as a refusal; a $batch sub-request throttled inside a 200 as throttled", async () => {
  rig.sim.inject({ path: /jobs\/2$/, status: 403, code: "accessDenied", inBatch: false });
  const refused = await measured(() => rig.graph.getPrintJob({ printerId, jobId: "2" }));
  assert.deepEqual([refused.requests, refused.forbidden], [1, 1]);
  rig.sim.clearFaults();
  rig.sim.inject({ path: /jobs\/3$/, status: 429, retryAfter: 0, times: 1, inBatch: true });
  const batched = await measured(() => rig.graph.batch([{ id: "r3", url: `/print/printers/${printerId}/jobs/3` }]));
  assert.deepEqual(
    [batched.requests, batched.throttled],
    [2, 1],
    "the POST, its throttled sub-request, the POST again",
  );
});

test("work outside a measured scope, and concurrent scopes, do not count on each other", async () => {
  const [a, b] = await Promise.all([
    measured(() => rig.graph.getPrintJob({ printerId, jobId: "4" })),
    measured(async () => {
      await rig.graph.getPrintJob({ printerId, jobId: "5" });
      await rig.graph.getPrintJob({ printerId, jobId: "6" });
    }),
  ]);
  assert.deepEqual([a.requests, b.requests], [1, 2]);
  await rig.graph.getPrintJob({ printerId, jobId: "7" });
  assert.deepEqual([a.requests, b.requests], [1, 2], "a request after the scopes ended");
});
