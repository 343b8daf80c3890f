import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { assertMatchesDefinition, operationForPath } from "../rig/openapi";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, seedExamples, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

let rig: Rig;

before(async () => (rig = await startRig({ tenant: addSeedPrinter })));
after(() => rig.stop());
beforeEach(() => {
  rig.sim.clearFaults();
  rig.identity.down = false;
  rig.identity.delayMs = 0;
  rig.identity.roles = ["PrintJob.ReadBasic.All", "Printer.Read.All"];
});

async function get(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, any>; headers: Headers }> {
  const response = await fetch(`${rig.api}${path}`, init);
  const text = await response.text();
  const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  // Every answer matches what the OpenAPI definition (and so the Power Automate connector) promises.
  assertMatchesDefinition(operationForPath("GET", path), answer);
  return answer;
}

/** A user-assigned identity not used before: @azure/identity caches tokens per identity for the whole process. */
let identityCounter = 0;
function freshIdentity(): string {
  identityCounter++;
  return `00000000-0000-4000-8000-${identityCounter.toString().padStart(12, "0")}`;
}

const jobPath = `/printers/${seedPrinterId}/jobs/${seedJobId}`;

describe("the seed's three example requests round-trip field for field", () => {
  test("GET job", async () => {
    const { status, body, headers } = await get(jobPath);
    assert.equal(status, 200);
    assert.deepEqual(body, seedExamples.job);
    assert.match(headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(headers.get("x-graph-request-id"), "Graph's request id is handed on");
  });

  test("GET job ?$expand=tasks", async () => {
    const { status, body } = await get(`${jobPath}?$expand=tasks`);
    assert.equal(status, 200);
    assert.deepEqual(body, seedExamples.jobWithTasks);
  });

  test("GET job ?$expand=documents", async () => {
    const { status, body } = await get(`${jobPath}?$expand=documents`);
    assert.equal(status, 200);
    assert.deepEqual(body, seedExamples.jobWithDocuments);
  });
});

describe("options pass on to Graph", () => {
  test("$select and both expansions", async () => {
    const before = rig.sim.requests.length;
    const { status, body } = await get(`${jobPath}?$select=id,status&$expand=tasks,documents`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ["@odata.context", "documents", "id", "status", "tasks"]);
    const sent = rig.sim.requests.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.path, `/print/printers/${seedPrinterId}/jobs/${seedJobId}`);
    assert.equal(decodeURIComponent(sent[0]!.query), "?$select=id,status&$expand=tasks,documents");
  });

  test("the share path reads the same job through its share", async () => {
    const { status, body } = await get(`/shares/${seedShareId}/jobs/${seedJobId}`);
    assert.equal(status, 200);
    assert.equal(body.id, seedJobId);
    assert.match(body["@odata.context"], /print\/shares\('/);
    assert.equal(rig.sim.requests.at(-1)!.path, `/print/shares/${seedShareId}/jobs/${seedJobId}`);
  });

  test("the function key's code parameter is accepted and never passed on", async () => {
    const { status } = await get(`${jobPath}?code=secret-function-key-123&$expand=tasks`);
    assert.equal(status, 200);
    const sent = rig.sim.requests.at(-1)!;
    assert.doesNotMatch(sent.query, /code|secret-function-key/);
    assert.ok(!rig.host.logs.some((l) => l.message.includes("secret-function-key")), "the key is never logged");
  });

  test("a $select property Graph does not know is Graph's 400, passed on with its message", async () => {
    const { status, body } = await get(`${jobPath}?$select=noSuchProperty`);
    assert.equal(status, 400);
    assert.equal(body.error.code, "graphRejectedRequest");
    assert.match(body.error.message, /noSuchProperty/);
  });
});

describe("not found", () => {
  test("no such job", async () => {
    const { status, body } = await get(`/printers/${seedPrinterId}/jobs/99999`);
    assert.equal(status, 404);
    assert.equal(body.error.code, "notFound");
    assert.ok(body.error.requestId);
    assert.ok(body.error.graphRequestId);
  });
  test("no such printer", async () => {
    const { status, body } = await get(`/printers/00000000-0000-4000-8000-000000000000/jobs/${seedJobId}`);
    assert.equal(status, 404);
    assert.equal(body.error.code, "notFound");
  });
  test("no such share", async () => {
    const { status } = await get(`/shares/00000000-0000-4000-8000-000000000000/jobs/${seedJobId}`);
    assert.equal(status, 404);
  });
});

describe("bad input is refused before any Graph call", () => {
  const cases: [string, string, string][] = [
    ["printer id that is not a GUID", `/printers/not-a-guid/jobs/${seedJobId}`, "printerId"],
    ["../ in the job id", `/printers/${seedPrinterId}/jobs/..%2F..%2Fme`, "jobId"],
    ["encoded slash in the job id", `/printers/${seedPrinterId}/jobs/51%2F82`, "jobId"],
    ["? inside an id", `/printers/${seedPrinterId}/jobs/51%3F82`, "jobId"],
    ["# inside an id", `/printers/${seedPrinterId}/jobs/51%2382`, "jobId"],
    ["encoded slash in the printer id", `/printers/${seedPrinterId}%2Fjobs/jobs/${seedJobId}`, "printerId"],
    ["5,000-character job id", `/printers/${seedPrinterId}/jobs/${"9".repeat(5000)}`, "jobId"],
    ["5,000-character printer id", `/printers/${"a".repeat(5000)}/jobs/1`, "jobId"],
    ["share id that is not a GUID", `/shares/..%2F..%2Fprinters/jobs/${seedJobId}`, "shareId"],
    ["unknown $expand", `${jobPath}?$expand=printer`, "$expand"],
    ["nested $expand options", `${jobPath}?$expand=tasks($select=id)`, "$expand"],
    ["a path in $select", `${jobPath}?$select=status/state`, "$select"],
    ["an empty $select", `${jobPath}?$select=`, "$select"],
    ["an unknown query option", `${jobPath}?$filter=id eq '1'`, "query"],
    ["a repeated option", `${jobPath}?$expand=tasks&$expand=documents`, "$expand"],
  ];
  for (const [name, path, target] of cases) {
    test(name, async () => {
      const before = rig.sim.requests.length;
      const { status, body } = await get(path);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.error.code, "badRequest");
      if (!name.includes("5,000-character printer")) assert.equal(body.error.target, target);
      assert.ok(body.error.message.length < 300, "the message does not echo a huge value");
      assert.equal(rig.sim.requests.length, before, "Graph was not called");
    });
  }
});

describe("Graph failures", () => {
  test("throttling that recovers: the pipeline honours Retry-After and the caller gets 200", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, status: 429, retryAfter: 1, times: 2 });
    const started = Date.now();
    const { status, body } = await get(jobPath);
    assert.equal(status, 200);
    assert.equal(body.id, seedJobId);
    assert.ok(Date.now() - started >= 1900, "waited for both Retry-After pauses");
  });

  test("throttling that does not recover: 429 with Retry-After, within a bounded time", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, status: 429, retryAfter: 30 });
    const started = Date.now();
    const { status, body, headers } = await get(jobPath);
    assert.equal(status, 429);
    assert.equal(body.error.code, "throttled");
    assert.equal(headers.get("retry-after"), "30");
    assert.ok(Date.now() - started < 15_000, "did not wait out a 30 s pause");
  });

  test("short throttling that persists past the retries ends in 429", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, status: 429, retryAfter: 0 });
    const { status, headers } = await get(jobPath);
    assert.equal(status, 429);
    assert.ok(Number(headers.get("retry-after")) >= 1);
    assert.equal(rig.sim.count(/jobs\/5182$/) >= 4, true);
  });

  test("permission denied names the application permissions to grant", async () => {
    rig.identity.roles = ["PrintJob.ReadBasic.All"];
    rig.configure({ AZURE_CLIENT_ID: freshIdentity() });
    const { status, body } = await get(jobPath);
    assert.equal(status, 403);
    assert.equal(body.error.code, "graphAccessDenied");
    assert.match(body.error.message, /PrintJob\.ReadBasic\.All and Printer\.Read\.All/);
    rig.configure({ AZURE_CLIENT_ID: undefined });
  });

  test("Graph down (503 on every try) gives 503 after the retries", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, status: 503 });
    const before = rig.sim.count(/jobs\/5182$/);
    const { status, body } = await get(jobPath);
    assert.equal(status, 503);
    assert.equal(body.error.code, "graphUnavailable");
    assert.equal(rig.sim.count(/jobs\/5182$/) - before, 4, "one try and three retries");
  });

  test("a 500 burst that clears is retried with backoff", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, status: 500, times: 2 });
    const { status } = await get(jobPath);
    assert.equal(status, 200);
  });

  test("Graph unreachable (connections reset) gives 503", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, drop: "reset" });
    const { status, body } = await get(jobPath);
    assert.equal(status, 503);
    assert.equal(body.error.code, "graphUnavailable");
  });

  test("answers slower than the per-try timeout are retried, then 504", async () => {
    rig.configure({ GRAPH_TRY_TIMEOUT_MS: "200", GRAPH_MAX_RETRIES: "1" });
    rig.sim.inject({ path: /jobs\/5182$/, delayMs: 10_000 });
    const started = Date.now();
    const { status, body } = await get(jobPath);
    assert.equal(status, 504);
    assert.equal(body.error.code, "graphTimeout");
    assert.ok(Date.now() - started < 5000, "two tries cut at 200 ms, not two 10 s answers awaited");
    rig.configure({ GRAPH_TRY_TIMEOUT_MS: "2000", GRAPH_MAX_RETRIES: "3" });
  });

  test("a non-JSON answer is a 502", async () => {
    rig.sim.inject({ path: /jobs\/5182$/, drop: "nonJson", times: 1 });
    const { status, body } = await get(jobPath);
    assert.equal(status, 502);
    assert.equal(body.error.code, "graphInvalidResponse");
  });

  test("the managed identity endpoint down gives a 503 that names the managed identity", async () => {
    rig.configure({ AZURE_CLIENT_ID: freshIdentity() });
    rig.identity.down = true;
    const { status, body } = await get(jobPath);
    assert.equal(status, 503);
    assert.equal(body.error.code, "managedIdentityUnavailable");
    assert.match(body.error.message, /managed identity/);
    rig.identity.down = false;
    rig.configure({ AZURE_CLIENT_ID: undefined });
  });
});

describe("the managed identity", () => {
  test("one token request per token lifetime, whatever the number of calls", async () => {
    const clientId = freshIdentity();
    rig.configure({ AZURE_CLIENT_ID: clientId });
    // Counted for this identity only: an earlier scenario's abandoned token request may still land.
    const requests = () => rig.identity.tokenRequests.filter((r) => r.clientId === clientId);
    for (let i = 0; i < 5; i++) assert.equal((await get(jobPath)).status, 200);
    assert.equal(requests().length, 1);
    assert.equal(requests()[0]!.resource.replace(/\/$/, ""), "https://graph.microsoft.com");
    rig.configure({ AZURE_CLIENT_ID: undefined });
  });

  test("AZURE_CLIENT_ID picks a user-assigned identity", async () => {
    const clientId = "11111111-2222-4333-8444-555555555555";
    rig.configure({ AZURE_CLIENT_ID: clientId });
    const before = rig.identity.tokenRequests.length;
    assert.equal((await get(jobPath)).status, 200);
    // Every token request since carries this client id: an earlier scenario's abandoned request may still land
    // after ours, so the last one on the list is not necessarily ours (the flake of the last CI run).
    const since = rig.identity.tokenRequests.slice(before);
    assert.ok(
      since.some((r) => r.clientId === clientId),
      "a token request named the user-assigned identity",
    );
    assert.ok(
      since
        .filter((r) => r.clientId === clientId)
        .every((r) => r.resource.replace(/\/$/, "") === "https://graph.microsoft.com"),
    );
    rig.configure({ AZURE_CLIENT_ID: undefined });
  });
});
