/**
 * Malformed Graph data on the get-job path: whatever job object Graph sends (missing fields, nulls, wrong
 * types, enum values that do not exist yet, a 100 KB description, thousands of tasks), the caller gets it
 * passed through unchanged with 200, and the app neither crashes nor logs an error.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Figures } from "../rig/figures";
import { call } from "../rig/http";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, makeJob, seedPrinterId } from "../../sandbox/tenant";

let rig: Rig;
const figures = new Figures("malformed-graph-data");

before(async () => (rig = await startRig({ tenant: addSeedPrinter })));
after(async () => {
  figures.print();
  await rig.stop();
});

const base = makeJob(seedPrinterId, 42, { tasks: 2 });
const manyTasks = Array.from({ length: 5000 }, (_, i) => ({
  id: `task-${i}`,
  status: { state: i % 2 ? "processing" : "someNewState", description: "x".repeat(50) },
}));

/** Job bodies as Graph could send them; `raw` is sent byte for byte. */
const jobs: [string, { body?: Record<string, unknown>; raw?: string }][] = [
  ["only an id", { body: { id: "m1" } }],
  ["no id at all", { body: { status: { state: "completed" } } }],
  ["an empty object", { body: {} }],
  ["every property null", { body: Object.fromEntries(Object.keys(base).map((k) => [k, null])) }],
  [
    "nested nulls",
    {
      body: {
        ...base,
        createdBy: { id: null, displayName: null, userPrincipalName: null },
        status: { state: null, description: null, details: null },
      },
    },
  ],
  [
    "wrong types everywhere",
    {
      body: {
        id: 5182,
        createdDateTime: 1_700_000_000,
        createdBy: "john.smith@contoso.com",
        status: "completed",
        configuration: [1, 2, 3],
        isFetchable: "no",
        errorCode: "4",
        documents: { id: "d" },
        tasks: "none",
      },
    },
  ],
  [
    "unknownFutureValue and states that do not exist yet",
    {
      body: {
        ...base,
        status: { state: "unknownFutureValue", details: ["quantumJam", "unknownFutureValue"] },
        tasks: [{ id: "t", status: { state: "teleporting" } }],
      },
    },
  ],
  [
    "a 100 KB description",
    { body: { ...base, status: { state: "aborted", description: "é".repeat(50_000) + "x".repeat(2_400) } } },
  ],
  ["5,000 tasks (a page-sized body of about 1 MB)", { body: { ...base, tasks: manyTasks } }],
  [
    "unknown properties, including a 300-level deep one",
    { body: { ...base, futureProperty: { a: 1 }, deep: JSON.parse(`${"[".repeat(300)}1${"]".repeat(300)}`) } },
  ],
  [
    "control characters, NUL and CRLF in strings",
    {
      body: {
        ...base,
        createdBy: { displayName: "Eve\u0000\r\nSet-Cookie: x=1", userPrincipalName: "\u202eevil@contoso.com" },
      },
    },
  ],
  [
    "a duplicate key (last one wins, as JSON.parse reads it)",
    { raw: `{"id":"m12","status":{"state":"pending"},"status":{"state":"completed"}}` },
  ],
  ["a lone surrogate escaped in a string", { raw: `{"id":"m13","createdBy":{"displayName":"bad \\ud800 surrogate"}}` }],
];

describe("Graph's job is passed through, whatever its shape", () => {
  for (const [index, [name, job]] of jobs.entries()) {
    test(name, async () => {
      const jobId = `malformed${index}`;
      rig.sim.addRoute("GET", new RegExp(`^/print/printers/${seedPrinterId}/jobs/${jobId}$`), () =>
        job.raw !== undefined ? ({ status: 200, raw: job.raw } as never) : { status: 200, body: job.body },
      );
      const logsBefore = rig.host.logs.length;
      for (const query of ["", "?$expand=tasks,documents", "?$select=id,status"]) {
        const answer = await call(`${rig.api}/printers/${seedPrinterId}/jobs/${jobId}${query}`);
        figures.add("malformedJobsServed");
        assert.equal(answer.status, 200, answer.text.slice(0, 300));
        assert.match(answer.headers.get("content-type") ?? "", /application\/json/);
        assert.deepEqual(
          answer.body,
          job.raw !== undefined ? JSON.parse(job.raw) : job.body,
          "passed through unchanged",
        );
      }
      const logs = rig.host.logs.slice(logsBefore);
      assert.equal(logs.filter((l) => l.level === "error").length, 0, "nothing logged as an error");
      assert.ok(
        logs.every((l) => l.message.length < 1000),
        "a huge body is never copied into the logs",
      );
    });
  }
});
