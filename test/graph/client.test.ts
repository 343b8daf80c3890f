import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManagedIdentityCredential } from "@azure/identity";
import { type BatchRequest } from "../../src/graph/batch";
import { GraphClient } from "../../src/graph/client";
import { GraphError } from "../../src/graph/graphError";
import { printerIdFor } from "../../sandbox/tenant";
import { useGraphRig } from "../rig/graphRig";

const rig = useGraphRig({
  pageSize: 7,
  jobsPerPrinter: 45,
  tasksPerJob: 2,
  clientId: "22222222-0000-4000-8000-000000000001",
});
const printerId = printerIdFor(1);

const jobRequests = (ids: number[]): BatchRequest[] =>
  ids.map((n) => ({ id: `r${n}`, url: `/print/printers/${printerId}/jobs/${n}?$expand=tasks` }));

describe("paging", () => {
  test("lists every job over @odata.nextLink, page by page, lazily", async () => {
    const before = rig.sim.count(/\/jobs$/);
    const ids: string[] = [];
    for await (const job of rig.graph.listPrinterJobs(printerId)) ids.push(job.id!);
    assert.equal(ids.length, 45);
    assert.equal(new Set(ids).size, 45);
    assert.equal(rig.sim.count(/\/jobs$/) - before, 7, "45 jobs at 7 a page");
    const pages = rig.graph.listPrinterJobs(printerId).byPage();
    const first = await pages.next();
    assert.equal(first.value.length, 7);
    assert.ok(first.value.continuationToken, "a page carries the link to the next");
  });

  test("a nextLink to another host is never followed with the token", async () => {
    const pages = rig.graph.list<unknown>(`https://evil.example.com/v1.0/print/printers/${printerId}/jobs`);
    await assert.rejects(pages.next(), (error: unknown) => error instanceof GraphError && error.code === "foreignLink");
  });
});

describe("JSON batching", () => {
  test("splits into $batch requests of at most 20 and answers in request order", async () => {
    const before = rig.sim.count(/^\/\$batch$/, { inBatch: false });
    const ids = Array.from({ length: 45 }, (_, i) => i + 1);
    const responses = await rig.graph.batch(jobRequests(ids));
    assert.equal(rig.sim.count(/^\/\$batch$/, { inBatch: false }) - before, 3, "20 + 20 + 5");
    assert.deepEqual(
      responses.map((r) => r.id),
      ids.map((n) => `r${n}`),
    );
    assert.ok(responses.every((r) => r.status === 200 && (r.body as { tasks: unknown[] }).tasks.length === 2));
  });

  test("a throttled sub-request is sent again after its Retry-After; the others are not", async () => {
    rig.sim.inject({ inBatch: true, path: /\/jobs\/3$/, status: 429, retryAfter: 1, times: 1 });
    const before = rig.sim.count(/\/jobs\/\d+$/, { inBatch: true });
    const started = Date.now();
    const responses = await rig.graph.batch(jobRequests([1, 2, 3]));
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200],
    );
    assert.ok(Date.now() - started >= 950, "waited for the sub-request's Retry-After");
    assert.equal(rig.sim.count(/\/jobs\/\d+$/, { inBatch: true }) - before, 4, "three, then job 3 again");
  });

  test("a 5xx sub-request is sent again with backoff, as the pipeline does for whole requests", async () => {
    rig.sim.inject({ inBatch: true, path: /\/jobs\/2$/, status: 500, times: 2 });
    const responses = await rig.graph.batch(jobRequests([1, 2]));
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200],
    );
  });

  test("what still fails after the retries comes back with its status, not thrown", async () => {
    rig.sim.inject({ inBatch: true, path: /\/jobs\/2$/, status: 503 });
    const responses = await rig.graph.batch(jobRequests([1, 2]));
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 503],
    );
    assert.equal(rig.sim.count(/\/jobs\/2$/, { inBatch: true }) >= 4, true);
  });

  test("a client that may not wait long hands back a long-throttled sub-request at once", async () => {
    const impatient = new GraphClient({
      baseUrl: rig.sim.baseUrl,
      scope: "https://graph.microsoft.com/.default",
      credential: new ManagedIdentityCredential({ clientId: "22222222-0000-4000-8000-000000000001" }),
      retryOptions: { maxRetries: 3, retryDelayInMs: 10 },
      maxRetryAfterInMs: 1000,
    });
    rig.sim.inject({ inBatch: true, path: /\/jobs\/1$/, status: 429, retryAfter: 30 });
    const started = Date.now();
    const [response] = await impatient.batch(jobRequests([1]));
    assert.equal(response!.status, 429);
    assert.ok(Date.now() - started < 15_000, "did not wait out the 30 s pause");
  });
});
