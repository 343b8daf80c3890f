import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { assertMatchesDefinition } from "../rig/openapi";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, makeJob, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

let rig: Rig;
let nextJob = 7000;

before(async () => (rig = await startRig({ tenant: addSeedPrinter })));
after(() => rig.stop());
beforeEach(() => rig.sim.clearFaults());

interface Answer {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

/** One call as Power Automate makes it: the key in the x-functions-key header, any URL (a Location is absolute). */
async function call(
  pathOrUrl: string,
  operationId: "WaitForPrinterJob" | "WaitForShareJob" = "WaitForPrinterJob",
): Promise<Answer> {
  const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${rig.api}${pathOrUrl}`;
  const response = await fetch(url, { headers: { "x-functions-key": "connection-key-abc" } });
  const text = await response.text();
  const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  assertMatchesDefinition(operationId, answer);
  return answer;
}

/** A job of the seed printer in the given state; returns its id. */
function newJob(state: string): string {
  const id = String(++nextJob);
  rig.sim.addJob(seedPrinterId, makeJob(seedPrinterId, nextJob, { state, tasks: 1 }));
  return id;
}

const completion = (jobId: string, query = ""): string => `/printers/${seedPrinterId}/jobs/${jobId}/completion${query}`;

describe("waiting for a job, as Power Automate polls", () => {
  test("202 with Location and Retry-After while the job runs, then 200 with the job once it completes", async () => {
    const jobId = newJob("pending");
    const first = await call(completion(jobId));
    assert.equal(first.status, 202);
    assert.equal(first.body.state, "pending");
    assert.equal(first.body.timeout, "PT1H");
    const retryAfter = Number(first.headers.get("retry-after"));
    assert.ok(retryAfter >= 10 && retryAfter <= 30, `Retry-After ${retryAfter} s`);
    const location = new URL(first.headers.get("location")!);
    assert.equal(
      `${location.origin}${location.pathname}`,
      `${rig.api}${completion(jobId)}`,
      "Location is absolute and points at the same wait",
    );
    assert.equal(location.searchParams.get("timeout"), "PT1H");
    const deadline = Date.parse(location.searchParams.get("deadline")!);
    assert.ok(Math.abs(deadline - (Date.now() + 3_600_000)) < 60_000, "the deadline is one hour ahead");
    assert.equal(first.body.deadline, new Date(deadline).toISOString());

    rig.sim.setJobState(seedPrinterId, jobId, "processing", { isAcquiredByPrinter: true });
    const second = await call(location.toString());
    assert.equal(second.status, 202);
    assert.equal(second.body.state, "processing");
    assert.equal(second.headers.get("location"), location.toString(), "the deadline does not move between polls");

    rig.sim.setJobState(seedPrinterId, jobId, "completed", {
      description: "The print job has completed successfully.",
    });
    const last = await call(second.headers.get("location")!);
    assert.equal(last.status, 200);
    assert.equal(last.headers.get("location"), null);
    assert.equal(last.body.id, jobId);
    assert.equal(last.body.status.state, "completed");
    assert.deepEqual(
      last.body.createdBy,
      rig.sim.job(seedPrinterId, jobId).createdBy,
      "the same body as Get print job",
    );
  });

  for (const state of ["completed", "canceled", "aborted"]) {
    test(`a job already ${state} answers 200 at once`, async () => {
      const jobId = newJob(state);
      const { status, body } = await call(completion(jobId));
      assert.equal(status, 200);
      assert.equal(body.status.state, state);
    });
  }

  test("the seed job (completed) through its share; the Location of a running job stays under the share", async () => {
    const done = await call(`/shares/${seedShareId}/jobs/${seedJobId}/completion`, "WaitForShareJob");
    assert.equal(done.status, 200);
    assert.match(done.body["@odata.context"], /print\/shares\('/);

    const jobId = newJob("processing");
    const running = await call(`/shares/${seedShareId}/jobs/${jobId}/completion`, "WaitForShareJob");
    assert.equal(running.status, 202);
    assert.match(
      running.headers.get("location")!,
      new RegExp(`/api/shares/${seedShareId}/jobs/${jobId}/completion\\?`),
    );
    rig.sim.setJobState(seedPrinterId, jobId, "aborted");
    const last = await call(running.headers.get("location")!, "WaitForShareJob");
    assert.equal(last.status, 200);
    assert.equal(last.body.status.state, "aborted");
  });

  test("$expand travels in the Location and shapes the final answer", async () => {
    const jobId = newJob("processing");
    const first = await call(completion(jobId, "?$expand=tasks&timeout=PT2H"));
    assert.equal(first.status, 202);
    const location = new URL(first.headers.get("location")!);
    assert.equal(location.searchParams.get("$expand"), "tasks");
    assert.equal(location.searchParams.get("timeout"), "PT2H");
    rig.sim.setJobState(seedPrinterId, jobId, "completed");
    const last = await call(location.toString());
    assert.equal(last.status, 200);
    assert.equal(last.body.tasks.length, 1);
    assert.equal(last.body.documents, undefined);
  });

  test("the function key is never put in the Location, nor logged", async () => {
    const jobId = newJob("pending");
    const first = await call(completion(jobId, "?code=secret-function-key-456"));
    assert.equal(first.status, 202);
    assert.doesNotMatch(first.headers.get("location")!, /code=|secret-function-key/);
    assert.ok(!rig.host.logs.some((l) => l.message.includes("secret-function-key")));
    assert.ok(!rig.host.logs.some((l) => l.message.includes("connection-key-abc")));
  });

  test("PUBLIC_BASE_URL, when set, is the base of the Location", async () => {
    rig.configure({ PUBLIC_BASE_URL: "https://print.contoso.com" });
    try {
      const jobId = newJob("pending");
      const { status, headers } = await call(completion(jobId));
      assert.equal(status, 202);
      assert.match(
        headers.get("location")!,
        new RegExp(`^https://print\\.contoso\\.com/api/printers/${seedPrinterId}/jobs/${jobId}/completion\\?`),
      );
    } finally {
      rig.configure({ PUBLIC_BASE_URL: undefined });
    }
  });
});

describe("the deadline", () => {
  test("past the deadline a running job ends the wait with 504, naming its last state", async () => {
    const jobId = newJob("processing");
    const first = await call(completion(jobId, "?timeout=PT1S"));
    assert.equal(first.status, 202);
    assert.equal(first.headers.get("retry-after"), "1", "Retry-After does not reach past the deadline");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const last = await call(first.headers.get("location")!);
    assert.equal(last.status, 504);
    assert.equal(last.body.error.code, "completionTimeout");
    assert.equal(last.body.error.target, "timeout");
    assert.equal(last.body.error.lastState, "processing");
    assert.match(last.body.error.message, /PT1S/);
    assert.match(last.body.error.message, /last state was processing/);
    assert.equal(last.body.error.requestId, last.headers.get("x-request-id"));
  });

  test("a job that finished by the time of a late poll is still answered 200", async () => {
    const jobId = newJob("processing");
    const first = await call(completion(jobId, "?timeout=PT1S"));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    rig.sim.setJobState(seedPrinterId, jobId, "completed");
    const last = await call(first.headers.get("location")!);
    assert.equal(last.status, 200);
    assert.equal(last.body.status.state, "completed");
  });

  test("a short timeout shortens Retry-After to what is left", async () => {
    const jobId = newJob("pending");
    const { status, headers } = await call(completion(jobId, "?timeout=PT5S"));
    assert.equal(status, 202);
    assert.ok(Number(headers.get("retry-after")) <= 5);
  });
});

describe("bad waits are refused with 400 before any Graph call", () => {
  const cases: [string, string, string][] = [
    ["timeout not ISO-8601", "?timeout=1h", "timeout"],
    ["timeout in plain seconds", "?timeout=3600", "timeout"],
    ["zero timeout", "?timeout=PT0S", "timeout"],
    ["timeout over 24 hours", "?timeout=PT25H", "timeout"],
    ["timeout of two days", "?timeout=P2D", "timeout"],
    ["timeout in months", "?timeout=P1M", "timeout"],
    ["negative timeout", "?timeout=-PT1H", "timeout"],
    ["empty timeout", "?timeout=", "timeout"],
    ["bare P", "?timeout=PT", "timeout"],
    ["repeated timeout", "?timeout=PT1H&timeout=PT2H", "timeout"],
    ["malformed deadline", "?deadline=tomorrow", "deadline"],
    ["deadline with an offset instead of Z", "?deadline=2026-11-24T10:00:00%2B01:00", "deadline"],
    ["deadline more than 24 h ahead", `?deadline=${new Date(Date.now() + 25 * 3_600_000).toISOString()}`, "deadline"],
    ["an option the wait does not take", "?$select=id", "query"],
    ["a retryAfter option", "?retryAfter=5", "query"],
    ["unknown $expand", "?$expand=printer", "$expand"],
  ];
  for (const [name, query, target] of cases) {
    test(name, async () => {
      const before = rig.sim.requests.length;
      const { status, body } = await call(completion(seedJobId, query));
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.error.code, "badRequest");
      assert.equal(body.error.target, target);
      assert.equal(rig.sim.requests.length, before, "Graph was not called");
    });
  }

  test("the limits themselves are accepted: PT24H and P1D", async () => {
    for (const timeout of ["PT24H", "P1D", "PT90M", "pt10m"]) {
      const { status } = await call(completion(seedJobId, `?timeout=${timeout}`));
      assert.equal(status, 200, timeout);
    }
  });

  test("bad ids are 400 naming them", async () => {
    const { status, body } = await call(`/printers/not-a-guid/jobs/${seedJobId}/completion`);
    assert.equal(status, 400);
    assert.equal(body.error.target, "printerId");
  });
});

describe("Graph failures while waiting", () => {
  test("a job whose state Graph sends malformed, or a state Graph added later, keeps the wait going", async () => {
    for (const state of [42, null, "unknownFutureValue", "heldForRelease"]) {
      const jobId = newJob("pending");
      (rig.sim.job(seedPrinterId, jobId).status as Record<string, unknown>).state = state;
      const { status, body } = await call(completion(jobId));
      assert.equal(status, 202, String(state));
      assert.equal(body.state, typeof state === "string" ? state : "unknown");
    }
  });

  test("no such job is 404", async () => {
    const { status, body } = await call(completion("99999"));
    assert.equal(status, 404);
    assert.equal(body.error.code, "notFound");
  });

  test("throttling that does not clear is 429 with Retry-After, which the caller's retry policy honours", async () => {
    const jobId = newJob("processing");
    rig.sim.inject({ path: new RegExp(`jobs/${jobId}$`), status: 429, retryAfter: 30 });
    const { status, body, headers } = await call(completion(jobId));
    assert.equal(status, 429);
    assert.equal(body.error.code, "throttled");
    assert.equal(headers.get("retry-after"), "30");
  });
});
