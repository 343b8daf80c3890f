/**
 * The telemetry a real run emits, captured from the local host's log (every line the Functions host would send to
 * Application Insights as a `traces` row): an audit of jobs whose users, names and documents are hostile, a printer
 * Graph does not know, a redaction pass, get-job calls from a flow and from plain HTTP, trigger polls and an
 * erasure. Every event and dimension the workbook, query pack, alerts and docs read is there, each event always has
 * the same dimensions, and no personal value of the run is in any line.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { eventFeedTuning } from "../../src/audit/events";
import { newRunId } from "../../src/audit/keys";
import { emitIntegrityVerified, type TelemetryEventName } from "../../src/telemetry";
import { makeJob, printerIdFor } from "../../sandbox/tenant";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { hostileWireValues } from "../rig/hostile";
import { call } from "../rig/http";
import { allShippedQueries, eventReads } from "../rig/portalQueries";
import { startRig, type Rig } from "../rig/rig";

type Dimensions = Record<string, unknown>;
interface EmittedEvent {
  name: TelemetryEventName;
  level: string;
  dimensions: Dimensions;
}

const printerId = printerIdFor(61);
const unknownPrinterId = printerIdFor(62);
/** The people and documents of the run, as hostile as Graph may send them: none may reach telemetry. */
const people = [
  {
    upn: "zoe.o'quill+tel@contoso.com",
    name: 'Zoë "Robert\'); DROP TABLE--" Quill',
    id: "9a1e0c2d-5b7f-4e3a-8c61-d2f0b4a7e915",
  },
  {
    upn: "telemetry.victim@fabrikam.example",
    name: "Ωmega <script>alert(1)</script> Victim",
    id: "3f2b9d71-0c4e-4a58-b6e2-71c9a0d4f8b3",
  },
  {
    upn: `${hostileWireValues[22]}.crlf@contoso.com`,
    name: `Line\r\nBreak ${"ア".repeat(40)}`,
    id: "c7d1e5a9-2b3f-4c6d-8e0a-1f4b7d9c2e68",
  },
];
const documentNames = people.map((p, i) => `Payslip ${p.name} ${hostileWireValues[i * 7]} ${i}.pdf`);
const statusDescriptions = people.map((p) => `Held for release: ${p.name} (${p.upn})`);
const hashKey = randomBytes(32).toString("base64");
const personalValues = [...people.flatMap((p) => [p.upn, p.name, p.id]), ...documentNames, ...statusDescriptions];

let rig: Rig;
const defaultMargin = eventFeedTuning.safetyMarginMs;
let events: EmittedEvent[] = [];
let lines: string[] = [];
const answers: Record<string, number> = {};
/** How many events the second poll handed the flow. */
let delivered = 0;

function addHostileJobs(): void {
  for (let n = 1; n <= 9; n++) {
    const person = people[n % people.length]!;
    const job = makeJob(printerId, n, { tasks: 1, state: n % 3 === 0 ? "processing" : "completed" });
    job.createdBy = { id: person.id, userPrincipalName: person.upn, displayName: person.name };
    job.status = { ...job.status!, description: statusDescriptions[n % people.length]! };
    job.documents![0]!.displayName = documentNames[n % people.length]!;
    rig.sim.addJob(printerId, job);
  }
}

/** Every event line the host logged, parsed back as a query's parse_json(message) would read it. */
function capture(): void {
  lines = rig.host.logs.map((line) => line.message);
  events = rig.host.logs
    .filter((line) => line.message.startsWith('{"event":'))
    .map((line) => {
      const { event, ...dimensions } = JSON.parse(line.message) as Dimensions & { event: TelemetryEventName };
      return { name: event, level: line.level, dimensions };
    });
}

const emitted = (name: TelemetryEventName): EmittedEvent[] => events.filter((e) => e.name === name);

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 4 } });
  rig.configure({
    AUDIT_TABLE_PREFIX: `tel${process.pid}x${Date.now().toString(36)}`,
    AUDIT_PRINTER_IDS: printerId,
    AUDIT_HASH_KEY: hashKey,
  });
  rig.sim.addPrinter({ id: printerId, displayName: "Telemetry printer, 2nd floor" });
  addHostileJobs();
  // The rig's clocks are one machine's: no margin, so the next poll sees the run that just ended. With the 5 s
  // margin, it saw it only when the run took longer than 5 s (a loaded machine), and failed on a quiet one.
  eventFeedTuning.safetyMarginMs = 0;
  await serveAuditQueues(rig);
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  // A printer Graph does not know: its run fails with a reason.
  await rig.host.invokeQueue("auditPrinter", { runId: newRunId(), printerId: unknownPrinterId }).catch(() => undefined);
  const first = await call(`${rig.api}/audit/triggers/jobFinished?states=completed,aborted`);
  answers.firstPoll = first.status;
  // Jobs finish, and the privacy setting tightens: the next run records them and rewrites the rows already there.
  for (const n of [3, 6, 9]) rig.sim.setJobState(printerId, String(n), "completed", { isAcquiredByPrinter: true });
  rig.configure({ AUDIT_REDACT_USERS: "hash" });
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  const next = await call(first.headers.get("location")!);
  answers.nextPoll = next.status;
  delivered = (next.body as { value?: unknown[] } | undefined)?.value?.length ?? -1;
  const flowHeaders = {
    "user-agent": "azure-logic-apps/1.0 (workflow 0f1e; version 08584)",
    "x-ms-workflow-run-id": "08584",
  };
  answers.flowGet = (await call(`${rig.api}/printers/${printerId}/jobs/1`, { headers: flowHeaders })).status;
  answers.plainGet = (await call(`${rig.api}/printers/${printerId}/jobs/404404`)).status;
  const erase = await call(`${rig.api}/audit/erasures`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: people[1]!.upn }),
  });
  answers.erase = erase.status;
  capture();
});
after(async () => {
  eventFeedTuning.safetyMarginMs = defaultMargin;
  await rig.stop();
});

describe("the telemetry of a real run", () => {
  test("the run did what the events describe", () => {
    assert.deepEqual(answers, { firstPoll: 202, nextPoll: 200, flowGet: 200, plainGet: 404, erase: 200 });
  });

  test("every event and dimension a shipped or documented query reads is one the run emitted", () => {
    const integrity: EmittedEvent[] = [];
    // No route emits IntegrityVerified yet (GET /api/audit/integrity comes with the integrity check): its API does.
    emitIntegrityVerified(
      {
        info: (m) =>
          integrity.push({ name: "IntegrityVerified", level: "information", dimensions: JSON.parse(String(m)) }),
        warn: () => undefined,
      },
      {
        outcome: "intact",
        fromDay: "2026-11-01",
        toDay: "2026-11-07",
        rowsChecked: 10,
        linksChecked: 10,
        alteredRows: 0,
        missingRows: 0,
        unexpectedRows: 0,
        rowsRemovedByRetention: 0,
        durationMs: 5,
      },
    );
    const all = [...events, ...integrity];
    for (const query of allShippedQueries()) {
      const reads = eventReads(query.text);
      for (const name of reads.events)
        assert.ok(
          all.some((e) => e.name === name),
          `${query.name} reads ${name}, which the run never emitted`,
        );
      for (const dimension of reads.dimensions)
        assert.ok(
          all.some((e) => reads.events.includes(e.name) && dimension in e.dimensions),
          `${query.name} reads e.${dimension}, which no ${reads.events.join("/")} event of the run carries`,
        );
    }
  });

  test("each event always carries the same dimensions, whatever its outcome", () => {
    const names = [...new Set(events.map((e) => e.name))].sort();
    assert.deepEqual(names, [
      "AuditErasure",
      "AuditRunStarted",
      "GetJobCalled",
      "PrinterAudited",
      "RedactionPass",
      "TriggerPolled",
    ]);
    for (const name of names) {
      const shapes = new Set(emitted(name).map((e) => Object.keys(e.dimensions).sort().join(",")));
      assert.equal(shapes.size, 1, `${name} emitted with ${[...shapes].join(" | ")}`);
    }
  });

  test("a printer's run tells its jobs, changes and Graph requests; a failed one its reason, as a warning", () => {
    const runs = emitted("PrinterAudited");
    const good = runs.filter((e) => e.dimensions.printerId === printerId && e.dimensions.outcome === "succeeded");
    assert.equal(good.length, 2);
    assert.equal(good[0]!.dimensions.jobsSeen, 9);
    assert.ok(Number(good[0]!.dimensions.changesWritten) >= 9);
    assert.ok(Number(good[0]!.dimensions.graphRequests) >= 3, "3 list pages at least");
    assert.equal(good[0]!.dimensions.printerName, "Telemetry printer, 2nd floor");
    const failed = runs.find((e) => e.dimensions.printerId === unknownPrinterId);
    assert.equal(failed?.dimensions.outcome, "failed");
    assert.equal(failed?.dimensions.reason, "graph404");
    assert.equal(failed?.level, "warning");
    assert.deepEqual(
      emitted("AuditRunStarted").map((e) => [e.dimensions.outcome, e.dimensions.printersQueued]),
      [
        ["queued", 1],
        ["queued", 1],
      ],
    );
  });

  test("get-job calls say their outcome, the Graph path, the caller and Graph's latency", () => {
    const calls = emitted("GetJobCalled").map((e) => e.dimensions);
    const flow = calls.find((d) => d.status === 200);
    assert.equal(flow?.caller, "connector");
    assert.equal(flow?.path, "printer");
    assert.equal(flow?.outcome, "ok");
    assert.ok(Number(flow?.graphRequests) >= 1 && Number(flow?.graphLatencyMs) >= 0);
    const plain = calls.find((d) => d.status === 404);
    assert.equal(plain?.caller, "http");
    assert.equal(plain?.outcome, "notFound");
  });

  test("trigger polls count the events they deliver; erasure and redaction report their rows", () => {
    const polls = emitted("TriggerPolled").map((e) => e.dimensions);
    assert.deepEqual(
      polls.map((d) => [d.trigger, d.status, d.firstPoll]),
      [
        ["OnPrintJobFinished", 202, true],
        ["OnPrintJobFinished", 200, false],
      ],
    );
    assert.ok(delivered >= 3, "the three jobs that finished");
    assert.equal(polls[1]!.eventsDelivered, delivered);
    const [erasure] = emitted("AuditErasure");
    assert.equal(erasure?.dimensions.status, "completed");
    assert.ok(Number(erasure?.dimensions.rowsChanged) > 0);
    const passes = emitted("RedactionPass");
    assert.ok(passes.some((e) => Number(e.dimensions.rowsRewritten) > 0 && e.dimensions.outcome === "succeeded"));
  });

  test("no person, document name or status text of the run is in any line the app logged", () => {
    assert.ok(lines.length > 20);
    const text = lines.join("\n");
    const forms = (value: string): string[] => [value, JSON.stringify(value).slice(1, -1), value.toLowerCase()];
    const leaked = JSON.stringify({ event: "PrinterAudited", printerName: people[0]!.name });
    assert.ok(
      forms(people[0]!.name).some((form) => leaked.includes(form)),
      "the check sees a value inside JSON",
    );
    const found = personalValues.filter((value) => forms(value).some((form) => text.includes(form)));
    assert.deepEqual(found, []);
  });

  test("no token the app was issued, nor the pseudonym key, is in any line", () => {
    const secrets = [...rig.identity.issuedTokens, hashKey];
    assert.ok(rig.identity.issuedTokens.length > 0, "the run signed in to Graph");
    assert.deepEqual(
      secrets.filter((secret) => lines.some((line) => line.includes(secret))),
      [],
    );
  });
});
