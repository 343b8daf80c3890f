// The share routes (get job, wait for completion) both ways: where Graph lets the app read /print/shares/{id}/jobs,
// and where it refuses them (403) and the app reads the job through the share's printer instead.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  getServedPrintJob,
  rememberSharePrinter,
  resetSharePrinters,
  sharePrinterCacheSize,
  sharePrintersCached,
  sharePrinterTtlInMs,
} from "../../src/jobs/sharePath";
import { appClients } from "../../src/composition/rooms";
import { assertMatchesDefinition } from "../rig/openapi";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, makeJob, seedExamples, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

let rig: Rig;

before(async () => (rig = await startRig({ tenant: addSeedPrinter })));
after(() => rig.stop());
beforeEach(() => {
  rig.sim.clearFaults();
  resetSharePrinters();
});

async function call(
  path: string,
  operationId: "GetShareJob" | "WaitForShareJob" | "GetPrinterJob",
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${rig.api}${path}`, { headers: { "x-functions-key": "k" } });
  const text = await response.text();
  const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  assertMatchesDefinition(operationId, answer);
  return answer;
}

const withoutContext = (body: Record<string, unknown>): Record<string, unknown> => {
  const { "@odata.context": _context, ...rest } = body;
  return rest;
};

const shareJobsPath = /^\/print\/shares\/[^/]+\/jobs/;
const sharePrinterPath = /^\/print\/shares\/[^/]+\/printer$/;
const printerJobsPath = /^\/print\/printers\/[^/]+\/jobs/;

for (const refused of [false, true]) {
  describe(refused ? "Graph refuses the share path to the app" : "Graph allows the share path to the app", () => {
    before(() => {
      rig.sim.refuseAppOnlyShareJobs = refused;
    });
    after(() => {
      rig.sim.refuseAppOnlyShareJobs = false;
    });

    test("get job through a share: the same job as through its printer, and the header says which path served it", async () => {
      const before = rig.sim.requests.length;
      const { status, body, headers } = await call(
        `/shares/${seedShareId}/jobs/${seedJobId}?$expand=tasks`,
        "GetShareJob",
      );
      assert.equal(status, 200);
      assert.deepEqual(withoutContext(body), withoutContext(seedExamples.jobWithTasks));
      assert.equal(headers.get("x-print-job-path"), refused ? "printer-via-share" : "share");
      const paths = rig.sim.requests.slice(before).map((r) => `${r.status} ${r.path}`);
      assert.deepEqual(
        paths,
        refused
          ? [
              `403 /print/shares/${seedShareId}/jobs/${seedJobId}`,
              `200 /print/shares/${seedShareId}/printer`,
              `200 /print/printers/${seedPrinterId}/jobs/${seedJobId}`,
            ]
          : [`200 /print/shares/${seedShareId}/jobs/${seedJobId}`],
      );
    });

    test("wait through a share: 202 while the job runs, 200 when it is final, both saying the path", async () => {
      rig.sim.addJob(seedPrinterId, makeJob(seedPrinterId, refused ? 8101 : 8001, { state: "processing" }));
      const jobId = refused ? "8101" : "8001";
      const pending = await call(`/shares/${seedShareId}/jobs/${jobId}/completion?timeout=PT5M`, "WaitForShareJob");
      assert.equal(pending.status, 202);
      assert.equal(pending.body.state, "processing");
      assert.equal(pending.headers.get("x-print-job-path"), refused ? "printer-via-share" : "share");
      assert.match(
        pending.headers.get("location")!,
        new RegExp(`/shares/${seedShareId}/jobs/${jobId}/completion\\?`),
        "the poll stays on the share route",
      );
      rig.sim.setJobState(seedPrinterId, jobId, "completed");
      const location = new URL(pending.headers.get("location")!);
      const done = await call(`${location.pathname.replace(/^\/api/, "")}${location.search}`, "WaitForShareJob");
      assert.equal(done.status, 200);
      assert.equal(done.body.status.state, "completed");
      assert.equal(done.headers.get("x-print-job-path"), refused ? "printer-via-share" : "share");
    });

    test("a share that does not exist is a 404", async () => {
      const { status, body } = await call(
        `/shares/0f0f0f0f-0000-4000-8000-000000000000/jobs/${seedJobId}`,
        "GetShareJob",
      );
      assert.equal(status, 404);
      assert.equal(body.error.code, "notFound");
      const waited = await call(
        `/shares/0f0f0f0f-0000-4000-8000-000000000000/jobs/${seedJobId}/completion`,
        "WaitForShareJob",
      );
      assert.equal(waited.status, 404);
    });

    test("a job that does not exist on a real share is a 404", async () => {
      const { status } = await call(`/shares/${seedShareId}/jobs/424242`, "GetShareJob");
      assert.equal(status, 404);
    });
  });
}

describe("the share's printer, once resolved", () => {
  before(() => {
    rig.sim.refuseAppOnlyShareJobs = true;
  });
  after(() => {
    rig.sim.refuseAppOnlyShareJobs = false;
  });

  test("is kept: later calls go straight to the printer path", async () => {
    await call(`/shares/${seedShareId}/jobs/${seedJobId}`, "GetShareJob");
    const shareCalls = rig.sim.count(shareJobsPath);
    const resolves = rig.sim.count(sharePrinterPath);
    const printerCalls = rig.sim.count(printerJobsPath);
    for (let i = 0; i < 3; i++) {
      const { status, headers } = await call(`/shares/${seedShareId}/jobs/${seedJobId}`, "GetShareJob");
      assert.equal(status, 200);
      assert.equal(headers.get("x-print-job-path"), "printer-via-share");
    }
    assert.equal(rig.sim.count(shareJobsPath), shareCalls, "no more refused share calls");
    assert.equal(rig.sim.count(sharePrinterPath), resolves, "the share's printer is not asked again");
    assert.equal(rig.sim.count(printerJobsPath), printerCalls + 3);
  });

  test("expires after its time to live, then is resolved again", async () => {
    const graph = (await appClients()).graph("interactive");
    let now = 1_000_000;
    await getServedPrintJob(graph, { shareId: seedShareId, jobId: seedJobId }, {}, () => now);
    const resolves = rig.sim.count(sharePrinterPath);
    now += sharePrinterTtlInMs - 1;
    assert.equal(
      (await getServedPrintJob(graph, { shareId: seedShareId, jobId: seedJobId }, {}, () => now)).path,
      "printer-via-share",
    );
    assert.equal(rig.sim.count(sharePrinterPath), resolves);
    now += 2;
    await getServedPrintJob(graph, { shareId: seedShareId, jobId: seedJobId }, {}, () => now);
    assert.equal(rig.sim.count(sharePrinterPath), resolves + 1, "resolved again after the TTL");
  });

  test("is bounded: past sharePrinterCacheSize shares the oldest is forgotten and resolved again", async () => {
    const graph = (await appClients()).graph("interactive");
    await getServedPrintJob(graph, { shareId: seedShareId, jobId: seedJobId });
    const resolves = rig.sim.count(sharePrinterPath);
    for (let i = 0; i < sharePrinterCacheSize; i++)
      rememberSharePrinter(graph.baseUrl, `share-${i}`, seedPrinterId, Date.now());
    assert.equal(sharePrintersCached(), sharePrinterCacheSize);
    const served = await getServedPrintJob(graph, { shareId: seedShareId, jobId: seedJobId });
    assert.equal(served.path, "printer-via-share");
    assert.equal(rig.sim.count(sharePrinterPath), resolves + 1, "the oldest share was forgotten");
    assert.equal(sharePrintersCached(), sharePrinterCacheSize);
  });

  test("without Printer.Read.All the share path's 403 is the answer, naming the roles to grant", async () => {
    rig.sim.inject({ path: sharePrinterPath, status: 403, code: "accessDenied" });
    const { status, body } = await call(`/shares/${seedShareId}/jobs/${seedJobId}`, "GetShareJob");
    assert.equal(status, 403);
    assert.match(body.error.message, /Printer\.Read\.All/);
  });

  test("a printer-path job is answered with X-Print-Job-Path: printer", async () => {
    const { headers } = await call(`/printers/${seedPrinterId}/jobs/${seedJobId}`, "GetPrinterJob");
    assert.equal(headers.get("x-print-job-path"), "printer");
  });
});
