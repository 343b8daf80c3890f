// The events feed (GET /api/audit/events) and the two polling triggers, against audits really recorded in
// Azurite: order, paging at every boundary, filters, cursors that never skip or repeat an event across
// overlapping runs, re-delivered messages and crashes mid-run, and the polling protocol as Power Automate
// drives it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { decodeCursor, encodeCursor, eventFeedTuning, timeOfEventKey } from "../../src/audit/events";
import { nextOccurrence } from "../../src/audit/nextRun";
import { newRunId } from "../../src/audit/keys";
import { auditFaultPoints, auditPrinterJobs, leftDerivedRowsPending } from "../../src/audit/recorder";
import { purgeHistory } from "../../src/audit/retention";
import { recordRun } from "../../src/audit/runs";
import { jobColumns } from "../../src/audit/snapshot";
import { type Row } from "../../src/audit/store";
import { appClients, auditClients } from "../../src/composition/rooms";
import { type AuditStore } from "../../src/audit/store";
import { getConfig } from "../../src/config";
import { CountingProxy, RequestCounter } from "../rig/countingProxy";
import { assertMatchesDefinition } from "../rig/openapi";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant, makeJob, printerIdFor } from "../../sandbox/tenant";
import { CurrentStateConflictError } from "../../src/errors";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";

let rig: Rig;
let printers: string[];
const quietPrinter = printerIdFor(77);
let prefix = "";
let prefixes = 0;
const defaultMargin = eventFeedTuning.safetyMarginMs;

function freshTables(env: Record<string, string | undefined> = {}): void {
  prefix = `ev${++prefixes}x${Date.now().toString(36)}`;
  rig.configure({
    AUDIT_TABLE_PREFIX: prefix,
    AUDIT_PRINTER_IDS: [...printers, quietPrinter].join(","),
    AUDIT_REDACT_USERS: undefined,
    ...env,
  });
}

before(async () => {
  rig = await startRig({ storage: true });
  printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 7, tasksPerJob: 1 });
  rig.sim.addPrinter({ id: quietPrinter, displayName: "Quiet printer" });
  for (let i = 1; i <= 6; i++) rig.sim.addJob(quietPrinter, makeJob(quietPrinter, i, { state: "processing" }));
  // The rig's clocks are one machine's: no margin needed, so reads see what was just written.
  eventFeedTuning.safetyMarginMs = 0;
  await serveAuditQueues(rig);
});
after(async () => {
  eventFeedTuning.safetyMarginMs = defaultMargin;
  await rig.stop();
});
beforeEach(() => {
  delete auditFaultPoints.beforeCurrentStateWrite;
});

const runAudit = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

/** Fresh tables holding one audit of every printer. */
async function auditIntoFreshTables(env: Record<string, string | undefined> = {}): Promise<void> {
  freshTables(env);
  await runAudit();
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function get(pathOrUrl: string): Promise<Answer> {
  const response = await fetch(/^https?:/.test(pathOrUrl) ? pathOrUrl : `${rig.api}${pathOrUrl}`);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** GET, with the answer checked against what the definition promises for the operation. */
async function getChecked(
  operationId: Parameters<typeof assertMatchesDefinition>[0],
  pathOrUrl: string,
): Promise<Answer> {
  const answer = await get(pathOrUrl);
  assertMatchesDefinition(operationId, answer);
  return answer;
}

/** Each query answers 400 naming the parameter at fault. */
async function assertRefused(route: string, refusals: [query: string, target: string][]): Promise<void> {
  for (const [query, target] of refusals) {
    const bad = await get(`${route}?${query}`);
    assert.equal(bad.status, 400, query);
    assert.equal(bad.body.error.target, target);
  }
}

/** Follows @odata.nextLink to the end; every page checked against the definition. */
async function readAll(path: string): Promise<{ events: any[]; cursor: string; pages: number }> {
  const events: any[] = [];
  let next: string | undefined = path;
  let cursor = "";
  let pages = 0;
  while (next) {
    const answer = await get(next);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assertMatchesDefinition("ListAuditEvents", answer);
    events.push(...answer.body.value);
    cursor = answer.body.cursor;
    next = answer.body["@odata.nextLink"];
    if (next) {
      assert.match(next, /^http:\/\/localhost:\d+\/api\/audit\/events\?/);
      assert.equal(new URL(next).searchParams.get("code"), null, "the function key never travels in a link");
      assert.equal(new URL(next).searchParams.get("cursor"), cursor, "the next page starts at the answer's cursor");
    }
    assert.ok(++pages < 500);
  }
  return { events, cursor, pages };
}

const quietLog = { log() {}, warn() {} };

/** One printer's audit as the queue trigger runs it, with the app's own Graph client and privacy settings; no log. */
async function printerAudit(
  store: AuditStore,
  runId: string,
  printerId: string,
): Promise<Parameters<typeof auditPrinterJobs>[0]> {
  const graph = (await appClients()).graph("background");
  return { graph, store, privacy: getConfig().audit, runId, printerId, log: quietLog };
}

async function historyRows(): Promise<Row[]> {
  const store = (await auditClients()).auditStore();
  return (await store.rowsWhere(store.tables.jobs, "PartitionKey ne ''")) as Row[];
}

const idOf = (e: any): string => `${e.PrinterId}|${e.JobId}|${e.Sequence}|${e.JobState}`;

describe("the events feed", () => {
  let all: any[] = [];

  before(async () => {
    await auditIntoFreshTables();
    rig.sim.setJobState(printers[0]!, "1", "completed");
    rig.sim.setJobState(printers[1]!, "2", "aborted");
    await runAudit();
    all = (await readAll("/audit/events?top=1000")).events;
  });

  test("one event per recorded job state, in the order observed, with the history's columns", async () => {
    const history = await historyRows();
    assert.equal(all.length, history.length);
    assert.deepEqual(all.map(idOf).sort(), history.map(idOf).sort(), "every recorded state once");
    assert.deepEqual(Object.keys(all[0]), ["EventId", ...jobColumns]);
    const ids = all.map((e) => e.EventId as string);
    assert.deepEqual(ids, [...ids].sort(), "feed order: observation time, then a stable tie-break");
    const times = all.map((e) => e.ObservedDateTime as string);
    assert.deepEqual(times, [...times].sort(), "oldest observation first");
    assert.equal(new Set(ids).size, ids.length);
    const later = all.filter((e) => e.Sequence === 2).map((e) => `${e.PrinterId}|${e.JobId}|${e.JobState}`);
    assert.deepEqual(later.sort(), [`${printers[0]}|1|completed`, `${printers[1]}|2|aborted`].sort());
  });

  test("paging at every boundary: each page size returns every event once, in order", async () => {
    for (let top = 1; top <= all.length + 1; top++) {
      const { events, pages } = await readAll(`/audit/events?top=${top}&code=the-key`);
      assert.deepEqual(
        events.map((e) => e.EventId),
        all.map((e) => e.EventId),
        `top=${top}`,
      );
      const full = Math.ceil(all.length / top);
      assert.ok(
        pages >= full && pages <= full + 1,
        `${pages} pages at top=${top}: full pages, and at most one empty last page`,
      );
    }
    assert.ok(!rig.host.logs.some((l) => l.message.includes("the-key")), "the function key is never logged");
  });

  test("filters: printer, states, user (as given or lower-cased), and since", async () => {
    const byPrinter = (await readAll(`/audit/events?printerId=${printers[1]!.toUpperCase()}`)).events;
    assert.deepEqual(
      byPrinter.map((e) => e.EventId),
      all.filter((e) => e.PrinterId === printers[1]).map((e) => e.EventId),
    );
    const ends = (await readAll(`/audit/events?state=aborted,canceled`)).events;
    assert.deepEqual(
      ends.map((e) => e.EventId),
      all.filter((e) => ["aborted", "canceled"].includes(e.JobState)).map((e) => e.EventId),
    );
    assert.ok(ends.length >= 3);
    const pat = (await readAll(`/audit/events?user=${encodeURIComponent("Pat.Kim@contoso.com")}`)).events;
    assert.deepEqual(
      pat.map((e) => e.EventId),
      all.filter((e) => e.CreatedBy === "pat.kim@contoso.com").map((e) => e.EventId),
    );
    assert.ok(pat.length > 0);
    const lastTime = all.at(-1).ObservedDateTime as string;
    const since = (await readAll(`/audit/events?since=${encodeURIComponent(lastTime)}`)).events;
    assert.deepEqual(
      since.map((e) => e.EventId),
      all.filter((e) => e.ObservedDateTime >= lastTime).map((e) => e.EventId),
    );
  });

  test("under AUDIT_REDACT_USERS=hash a person's UPN finds their events (compared with its pseudonym)", async () => {
    const shared = prefix;
    await auditIntoFreshTables({ AUDIT_REDACT_USERS: "hash", AUDIT_HASH_KEY: randomBytes(32).toString("base64") });
    const everything = (await readAll("/audit/events?top=1000")).events;
    assert.ok(
      everything.length > 0 && !JSON.stringify(everything).includes("@contoso.com"),
      "events carry pseudonyms only",
    );
    const pat = (await readAll(`/audit/events?user=${encodeURIComponent("Pat.Kim@contoso.com")}`)).events;
    assert.ok(pat.length > 0, "the UPN finds the pseudonymized events");
    assert.equal(new Set(pat.map((e) => e.CreatedBy)).size, 1, "one person's events");
    // Back to this suite's audit, recorded in clear.
    prefix = shared;
    rig.configure({ AUDIT_TABLE_PREFIX: shared, AUDIT_REDACT_USERS: undefined, AUDIT_HASH_KEY: undefined });
  });

  test("bad options are 400s naming the option", async () => {
    const cases: [string, string][] = [
      ["/audit/events?top=0", "top"],
      ["/audit/events?top=1001", "top"],
      ["/audit/events?cursor=nope", "cursor"],
      [
        `/audit/events?cursor=${encodeURIComponent(Buffer.from('{"v":1,"k":"x\' or 1"}').toString("base64url"))}`,
        "cursor",
      ],
      ["/audit/events?since=yesterday", "since"],
      [`/audit/events?since=2026-11-01T00:00:00Z&cursor=${encodeCursor({ key: "20261101T000000000Z" })}`, "since"],
      ["/audit/events?printerId=nope", "printerId"],
      ["/audit/events?state=a'b", "state"],
      ["/audit/events?orderby=x", "orderby"],
      ["/audit/events?top=1&top=2", "top"],
    ];
    for (const [path, target] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.body.error.target, target, path);
      assertMatchesDefinition("ListAuditEvents", answer);
    }
  });

  test("under AUDIT_REDACT_USERS=omit events carry no user, and a user filter is refused", async () => {
    try {
      rig.configure({ AUDIT_REDACT_USERS: "omit" });
      const answer = await get("/audit/events?user=pat.kim@contoso.com");
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.target, "user");
    } finally {
      rig.configure({ AUDIT_REDACT_USERS: undefined });
    }
  });
});

describe("cursors never skip or repeat an event", () => {
  beforeEach(() => freshTables());

  test("reading from a cursor reads only the events after it (rows counted at the table service)", async () => {
    await runAudit();
    for (const id of ["3", "4"]) rig.sim.setJobState(printers[0]!, id, "completed");
    await runAudit();
    const { events: before, cursor } = await readAll("/audit/events?top=1000");
    assert.ok(before.length > 20, `${before.length} events before the cursor`);
    rig.sim.setJobState(printers[1]!, "1", "aborted");
    rig.sim.setJobState(printers[1]!, "3", "canceled");
    await runAudit();

    // The app's table calls go through a proxy that counts the entities the Events table answers with.
    const counter = new RequestCounter();
    let eventRowsRead = 0;
    let eventQueries = 0;
    const proxy = await new CountingProxy(rig.azurite!.tableOrigin, counter, {
      observe: (req, _status, body) => {
        if (req.method !== "GET" || !decodeURIComponent(req.url ?? "").includes(`${prefix}Events()`)) return;
        eventQueries++;
        eventRowsRead += (JSON.parse(body.toString("utf8")) as { value: unknown[] }).value.length;
      },
    }).start();
    try {
      rig.configure({
        AzureWebJobsStorage: rig.azurite!.connectionStringVia({ table: proxy.origin }),
      });
      const { body } = await get(`/audit/events?cursor=${cursor}`);
      assert.deepEqual(body.value.map((e: any) => `${e.JobId}:${e.JobState}`).sort(), ["1:aborted", "3:canceled"]);
      assert.equal(eventRowsRead, 2, "only the two events after the cursor were read");
      assert.equal(eventQueries, 1);
      const again = await get(`/audit/events?cursor=${body.cursor}`);
      assert.deepEqual(again.body.value, [], "nothing after the new cursor");
    } finally {
      rig.configure({ AzureWebJobsStorage: rig.azurite!.connectionString });
      await proxy.stop();
    }
  });

  test("a slow run's events, written after a reader passed their observation time, are still delivered", async () => {
    await runAudit();
    const { cursor: start } = await readAll("/audit/events");
    const store = (await auditClients()).auditStore();
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const opened = Date.now();
    const runId = newRunId(new Date(opened));
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "running" });
    await sleep(20);
    // The run observes a change now, and is slow to write it.
    rig.sim.setJobState(printers[0]!, "5", "aborted");
    const observedAt = new Date();
    await sleep(20);
    // A reader polls meanwhile: its cursor stops before the open run, never past what it may still write.
    const held = await get(`/audit/events?cursor=${start}`);
    const readerPolledAt = Date.now();
    assert.deepEqual(held.body.value, []);
    assert.ok(timeOfEventKey(decodeCursor(held.body.cursor).key) <= opened, "the cursor does not pass an open run");
    await auditPrinterJobs({ ...(await printerAudit(store, runId, printers[0]!)), now: () => observedAt });
    assert.deepEqual(
      (await get(`/audit/events?cursor=${held.body.cursor}`)).body.value,
      [],
      "still held back while the run is open",
    );
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "succeeded" });
    const late = await get(`/audit/events?cursor=${held.body.cursor}`);
    assert.deepEqual(
      late.body.value.map((e: any) => `${e.JobId}:${e.JobState}`),
      ["5:aborted"],
    );
    assert.equal(late.body.value[0].ObservedDateTime, observedAt.toISOString());
    assert.ok(observedAt.getTime() < readerPolledAt, "observed before the reader polled, written after");
    assert.deepEqual((await get(`/audit/events?cursor=${late.body.cursor}`)).body.value, [], "and delivered once");
  });

  test("two runs of one printer at once: every new state once", async () => {
    await runAudit();
    const { cursor } = await readAll("/audit/events");
    const store = (await auditClients()).auditStore();
    for (const id of ["1", "2", "3"]) rig.sim.setJobState(printers[1]!, id, "completed");
    const runs = [newRunId(), newRunId()];
    for (const runId of runs) await recordRun(store, { RunId: runId, PrinterId: printers[1]!, Status: "running" });
    const attempt = async (runId: string): Promise<void> => {
      for (let i = 0; ; i++) {
        try {
          await auditPrinterJobs(await printerAudit(store, runId, printers[1]!));
          break;
        } catch (error) {
          // The host retries the message of the run that lost the race on the current state.
          if (!(error instanceof CurrentStateConflictError) || i > 3) throw error;
        }
      }
      await recordRun(store, { RunId: runId, PrinterId: printers[1]!, Status: "succeeded" });
    };
    await Promise.all(runs.map(attempt));
    const { events } = await readAll(`/audit/events?cursor=${cursor}`);
    assert.deepEqual(events.map((e) => `${e.JobId}:${e.JobState}`).sort(), [
      "1:completed",
      "2:completed",
      "3:completed",
    ]);
    const history = await historyRows();
    const { events: everything } = await readAll("/audit/events?top=1000");
    assert.deepEqual(everything.map(idOf).sort(), history.map(idOf).sort(), "one event per history row, none twice");
  });

  test("a message re-delivered after a crash mid-run: events from the recorded history, once, never passed by a reader", async () => {
    await runAudit();
    const { cursor } = await readAll("/audit/events");
    const store = (await auditClients()).auditStore();
    const runId = newRunId();
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "running" });
    rig.sim.setJobState(printers[0]!, "6", "canceled");
    rig.sim.setJobState(printers[0]!, "7", "completed");
    const options = await printerAudit(store, runId, printers[0]!);
    // First attempt: the history is written, the crash loses the event rows and the current state.
    auditFaultPoints.beforeCurrentStateWrite = async () => {
      for (const row of await store.rowsWhere(
        store.tables.events,
        `PrinterId eq '${printers[0]}' and RunId eq '${runId}'`,
      )) {
        await store.deleteRow(store.tables.events, { partitionKey: row.partitionKey!, rowKey: row.rowKey! });
      }
      throw new Error("crashed");
    };
    await assert.rejects(auditPrinterJobs(options), /crashed/);
    delete auditFaultPoints.beforeCurrentStateWrite;
    // What auditPrinter records when an attempt fails between the history and its events.
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "failed", DerivedPending: true });
    const recorded = (await historyRows()).filter((r) => r.RunId === runId);
    assert.equal(recorded.length, 2, "the first attempt wrote the history");
    assert.deepEqual(
      (await get(`/audit/events?cursor=${cursor}`)).body.value,
      [],
      "nothing yet, and the cursor waits for the failed run",
    );
    const waiting = (await get(`/audit/events?cursor=${cursor}`)).body.cursor;
    // The host delivers the message again, a little later.
    await new Promise((r) => setTimeout(r, 20));
    await auditPrinterJobs(options);
    // ... and once more (a duplicate delivery): nothing new.
    await auditPrinterJobs(options);
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "succeeded" });
    const { events } = await readAll(`/audit/events?cursor=${waiting}`);
    assert.deepEqual(events.map((e) => `${e.JobId}:${e.JobState}`).sort(), ["6:canceled", "7:completed"]);
    for (const e of events) {
      const history = recorded.find((r) => r.JobId === e.JobId)!;
      assert.equal(
        e.ObservedDateTime,
        history.ObservedDateTime,
        "the event is the recorded history row's, first attempt's time",
      );
    }
    const { events: everything } = await readAll("/audit/events?top=1000");
    assert.deepEqual(everything.map(idOf).sort(), (await historyRows()).map(idOf).sort(), "one event per history row");
  });

  test("a retried delivery derives what an earlier attempt left, even when the job changed again in between", async () => {
    await runAudit();
    const store = (await auditClients()).auditStore();
    const runId = newRunId();
    await recordRun(store, { RunId: runId, PrinterId: printers[0]!, Status: "queued" });
    rig.sim.setJobState(printers[0]!, "6", "paused");
    // First attempt: the history is written, then the storage fails before the rows derived from it.
    const createRows = store.createRows.bind(store);
    store.createRows = async (table, rows) => {
      if (table === store.tables.events || table === store.tables.jobIndex)
        throw Object.assign(new Error("storage went away"), { statusCode: 503 });
      return createRows(table, rows);
    };
    try {
      await assert.rejects(
        rig.host.invokeQueue("auditPrinter", { runId, printerId: printers[0]! }, { dequeueCount: 1 }),
      );
    } finally {
      store.createRows = createRows;
    }
    const paused = (await historyRows()).filter((r) => r.RunId === runId);
    assert.deepEqual(
      paused.map((r) => `${r.JobId}:${r.JobState}`),
      ["6:paused"],
      "the first attempt wrote the history",
    );
    // The job moves on before the host delivers the message again.
    rig.sim.setJobState(printers[0]!, "6", "aborted");
    await rig.host.invokeQueue("auditPrinter", { runId, printerId: printers[0]! }, { dequeueCount: 2 });
    const recorded = (await historyRows()).filter((r) => r.RunId === runId);
    assert.deepEqual(recorded.map((r) => `${r.JobId}:${r.JobState}`).sort(), ["6:aborted", "6:paused"]);
    const { events: everything } = await readAll("/audit/events?top=1000");
    assert.deepEqual(
      everything.map(idOf).sort(),
      (await historyRows()).map(idOf).sort(),
      "one event per history row, the earlier attempt's too",
    );
    const pausedJobs = (await get(`/audit/jobs?state=paused`)).body.value;
    assert.ok(
      pausedJobs.some((r: any) => r.PrinterId === printers[0] && r.JobId === "6"),
      "the index holds the earlier attempt's row",
    );
  });

  test("a failed run holds the feed only if it failed between history and events, until a later run of its printer succeeds", async () => {
    await runAudit();
    const store = (await auditClients()).auditStore();
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const graphFailure = Date.now();
    await recordRun(store, { RunId: newRunId(new Date(graphFailure)), PrinterId: printers[1]!, Status: "failed" });
    await sleep(50);
    const { cursor: notHeld } = await readAll("/audit/events");
    assert.ok(
      timeOfEventKey(decodeCursor(notHeld).key) >= graphFailure + 50,
      "a failure that left nothing half-written holds nothing",
    );
    const opened = Date.now();
    await recordRun(store, {
      RunId: newRunId(new Date(opened)),
      PrinterId: printers[0]!,
      Status: "failed",
      DerivedPending: true,
    });
    await sleep(50);
    const { cursor: held } = await readAll("/audit/events");
    assert.ok(
      timeOfEventKey(decodeCursor(held).key) <= opened,
      "held at the failed run: a later run may still write what it observed",
    );
    await runAudit();
    const { cursor: released } = await readAll("/audit/events");
    assert.ok(
      timeOfEventKey(decodeCursor(released).key) >= opened + 50,
      "released by the later success of its printer",
    );
  });

  test("a printer that keeps failing half-written holds the others' events for one audit interval, no longer", async () => {
    await runAudit();
    const store = (await auditClients()).auditStore();
    const createRows = store.createRows.bind(store);
    store.createRows = async (table, rows) => {
      if (table === store.tables.events && rows.some((r) => r.PrinterId === printers[0]))
        throw Object.assign(new Error("storage went away"), { statusCode: 503 });
      return createRows(table, rows);
    };
    let runId = "";
    try {
      rig.sim.setJobState(printers[0]!, "4", "aborted");
      await runAudit();
      const failed = (await store.rowsWhere(store.tables.runs, `RowKey eq '${printers[0]}'`))
        .sort((a, b) => (a.partitionKey! < b.partitionKey! ? -1 : 1))
        .at(-1)!;
      runId = String(failed.partitionKey);
      assert.equal(failed.DerivedPending, true);
      assert.equal(
        failed.HoldsFeedUntil,
        nextOccurrence(getConfig().audit.schedule, new Date(timeOfEventKey(runId)))!.toISOString(),
        "held until the next scheduled run",
      );
    } finally {
      store.createRows = createRows;
    }
    const { cursor: held } = await readAll("/audit/events");
    assert.ok(timeOfEventKey(decodeCursor(held).key) <= timeOfEventKey(runId), "held within the interval");
    // The next scheduled run came and the printer failed again: the interval is over.
    await recordRun(store, {
      RunId: runId,
      PrinterId: printers[0]!,
      HoldsFeedUntil: new Date(Date.now() - 1).toISOString(),
    });
    const { cursor: moved } = await readAll("/audit/events");
    assert.ok(timeOfEventKey(decodeCursor(moved).key) > timeOfEventKey(runId), "the feed goes on for the others");
  });

  test("an attempt that fails between writing history and its events says so; a Graph failure does not", async () => {
    await runAudit();
    const store = (await auditClients()).auditStore();
    const options = await printerAudit(store, newRunId(), printers[0]!);
    rig.sim.setJobState(printers[0]!, "2", "aborted");
    const createRows = store.createRows.bind(store);
    store.createRows = async (table, rows) => {
      if (table === store.tables.events) throw Object.assign(new Error("storage went away"), { statusCode: 503 });
      return createRows(table, rows);
    };
    try {
      const error = await auditPrinterJobs(options).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error && leftDerivedRowsPending(error));
    } finally {
      store.createRows = createRows;
    }
    rig.sim.setJobState(printers[0]!, "3", "aborted");
    rig.sim.inject({ inBatch: true, path: /\/jobs\/3$/, status: 403, code: "Forbidden", times: 1 });
    try {
      const error = await auditPrinterJobs(options).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error && !leftDerivedRowsPending(error), String(error));
    } finally {
      rig.sim.clearFaults();
    }
  });
});

describe("When a print job finishes (OnPrintJobFinished), as Power Automate polls it", () => {
  let location = "";

  before(() => auditIntoFreshTables());

  async function poll(url: string): Promise<Answer> {
    const answer = await getChecked("OnPrintJobFinished", url);
    if (answer.status === 200 || answer.status === 202) {
      assert.equal(answer.headers.get("retry-after"), "60");
      const next = new URL(answer.headers.get("location")!);
      assert.equal(next.pathname, "/api/audit/triggers/jobFinished");
      assert.equal(next.searchParams.get("code"), null, "never the function key");
      assert.ok(next.searchParams.get("cursor"));
    }
    return answer;
  }

  test("first poll: 202 with the current cursor in Location and Retry-After", async () => {
    const first = await poll(`/audit/triggers/jobFinished?printerId=${printers[0]}&code=the-key`);
    assert.equal(first.status, 202);
    assert.equal(first.body, undefined);
    location = first.headers.get("location")!;
    assert.equal(
      new URL(location).searchParams.get("printerId"),
      printers[0],
      "the flow maker's choices travel in Location",
    );
  });

  test("nothing new: 202; a poll before the next audit run: 202", async () => {
    const nothing = await poll(location);
    assert.equal(nothing.status, 202);
    location = nothing.headers.get("location")!;
    rig.sim.setJobState(printers[0]!, "1", "aborted");
    rig.sim.setJobState(printers[0]!, "2", "canceled");
    rig.sim.setJobState(printers[0]!, "3", "completed");
    const early = await poll(location);
    assert.equal(early.status, 202, "the change is not recorded until the next audit run");
    location = early.headers.get("location")!;
  });

  test("new events: 200 with the finished jobs (default aborted and canceled) and the advanced cursor; then 202", async () => {
    await runAudit();
    const fired = await poll(location);
    assert.equal(fired.status, 200);
    assert.deepEqual(fired.body.value.map((e: any) => `${e.JobId}:${e.JobState}`).sort(), ["1:aborted", "2:canceled"]);
    const ids = fired.body.value.map((e: any) => e.EventId);
    assert.deepEqual(ids, [...ids].sort(), "in feed order");
    const aborted = fired.body.value.find((e: any) => e.JobId === "1");
    assert.equal(
      aborted.CreatedBy,
      rig.sim.job(printers[0]!, "1").createdBy!.userPrincipalName,
      "the UPN a flow notifies",
    );
    const advanced = fired.headers.get("location")!;
    assert.notEqual(advanced, location);
    // Power Automate polling the old Location again (its answer was lost) gets the same batch: nothing is lost.
    const replay = await poll(location);
    assert.deepEqual(
      replay.body.value.map((e: any) => e.EventId),
      fired.body.value.map((e: any) => e.EventId),
    );
    const after = await poll(advanced);
    assert.equal(after.status, 202, "delivered once");
    location = after.headers.get("location")!;
  });

  test("a job recorded again in the same end state is not delivered twice; reaching an end state again is", async () => {
    rig.sim.setJobState(printers[0]!, "1", "aborted", { description: "The printer reported a paper jam." });
    await runAudit();
    const same = await poll(location);
    assert.equal(same.status, 202, "still aborted: no second delivery");
    location = same.headers.get("location")!;
    rig.sim.setJobState(printers[0]!, "1", "processing");
    await runAudit();
    rig.sim.setJobState(printers[0]!, "1", "aborted");
    await runAudit();
    const again = await poll(location);
    assert.equal(again.status, 200);
    assert.deepEqual(
      again.body.value.map((e: any) => `${e.JobId}:${e.JobState}`),
      ["1:aborted"],
    );
  });

  test("end states, person and printer filters; bad values are 400s", async () => {
    for (const [printerId, id] of [
      [printers[1]!, "1"],
      [printers[1]!, "3"],
      [printers[0]!, "5"],
    ] as const)
      rig.sim.setJobState(printerId, id, "processing");
    await runAudit();
    const first = await poll(
      `/audit/triggers/jobFinished?printerId=${printers[1]}&states=completed&user=${encodeURIComponent("PAT.KIM@contoso.com")}`,
    );
    const start = first.headers.get("location")!;
    rig.sim.setJobState(printers[1]!, "1", "completed");
    rig.sim.setJobState(printers[1]!, "3", "completed");
    rig.sim.setJobState(printers[0]!, "5", "completed");
    await runAudit();
    const fired = await poll(start);
    assert.equal(fired.status, 200, JSON.stringify(fired.body));
    const owner = (printerId: string, id: string): string => rig.sim.job(printerId, id).createdBy!.userPrincipalName!;
    assert.equal(owner(printers[1]!, "1"), "pat.kim@contoso.com");
    assert.equal(owner(printers[0]!, "5"), "pat.kim@contoso.com");
    assert.notEqual(owner(printers[1]!, "3"), "pat.kim@contoso.com");
    assert.deepEqual(
      fired.body.value.map((e: any) => `${e.PrinterId}:${e.JobId}:${e.JobState}`),
      [`${printers[1]}:1:completed`],
      "that printer, that person, that state",
    );
    await assertRefused("/audit/triggers/jobFinished", [
      ["states=printed", "states"],
      ["printerId=x", "printerId"],
      ["cursor=abc", "cursor"],
      ["since=2026-01-01T00:00:00Z", "since"],
    ]);
  });
});

describe("a backlog of finished jobs drains at the flow's pace", () => {
  const busy = printerIdFor(78);

  test("Retry-After is 1 s while more finished jobs wait, and 60 s once all are delivered", async () => {
    rig.sim.addPrinter({ id: busy, displayName: "Busy printer" });
    for (let j = 1; j <= 130; j++) rig.sim.addJob(busy, makeJob(busy, j, { state: "processing" }));
    freshTables({ AUDIT_PRINTER_IDS: busy });
    await runAudit();
    const first = await getChecked("OnPrintJobFinished", `/audit/triggers/jobFinished?printerId=${busy}`);
    assert.equal(first.headers.get("retry-after"), "60");
    for (let j = 1; j <= 130; j++) rig.sim.setJobState(busy, String(j), "aborted");
    await runAudit();
    const full = await getChecked("OnPrintJobFinished", first.headers.get("location")!);
    assert.equal(full.status, 200);
    assert.equal(full.body.value.length, 100);
    assert.equal(full.headers.get("retry-after"), "1", "more are waiting: poll again soon");
    const rest = await getChecked("OnPrintJobFinished", full.headers.get("location")!);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.value.length, 30);
    assert.equal(rest.headers.get("retry-after"), "60", "all delivered: back to the idle pace");
  });
});

describe("When a printer keeps failing (OnPrinterFailing)", () => {
  before(() => auditIntoFreshTables());

  const poll = (url: string): Promise<Answer> => getChecked("OnPrinterFailing", url);

  test("fires once when a printer's third aborted job within the hour is recorded, with the count and error codes", async () => {
    let location = (await poll(`/audit/triggers/printerFailing?printerId=${quietPrinter}`)).headers.get("location")!;
    const abort = (id: string, errorCode: number): void => {
      rig.sim.setJobState(quietPrinter, id, "aborted");
      rig.sim.job(quietPrinter, id).errorCode = errorCode;
    };
    abort("1", 12);
    abort("2", 12);
    await runAudit();
    const two = await poll(location);
    assert.equal(two.status, 202, "two aborted jobs are not three");
    location = two.headers.get("location")!;
    abort("3", 31);
    await runAudit();
    const three = await poll(location);
    assert.equal(three.status, 200);
    assert.equal(three.body.value.length, 1);
    const alert = three.body.value[0];
    assert.equal(alert.PrinterId, quietPrinter);
    assert.equal(alert.PrinterName, "Quiet printer");
    assert.equal(alert.AbortedJobs, 3);
    assert.equal(alert.Window, "PT1H");
    assert.deepEqual(alert.JobIds.split(",").sort(), ["1", "2", "3"]);
    assert.equal(alert.ErrorCodes, "31,12", "the window's error codes, latest first");
    assert.equal(alert.LastErrorCode, 31);
    assert.equal(alert.LastJobId, "3");
    location = three.headers.get("location")!;
    abort("4", 12);
    await runAudit();
    const four = await poll(location);
    assert.equal(four.status, 202, "the fourth in the same hour does not fire again");
  });

  test("threshold and window are the flow maker's; bad values are 400s", async () => {
    // The second printer's jobs aborted when first recorded (within the window) count: one more reaches the threshold.
    const abortedBefore = [...rig.sim.printers.get(printers[1]!)!.jobs.values()]
      .filter((j) => j.status?.state === "aborted")
      .map((j) => j.id!);
    assert.ok(abortedBefore.length >= 1 && !abortedBefore.includes("1"));
    const threshold = abortedBefore.length + 1;
    const first = await poll(`/audit/triggers/printerFailing?threshold=${threshold}&window=PT10M`);
    assert.equal(first.status, 202);
    const location = first.headers.get("location")!;
    assert.equal(new URL(location).searchParams.get("threshold"), String(threshold));
    rig.sim.setJobState(printers[1]!, "1", "aborted");
    await runAudit();
    const fired = await poll(location);
    assert.equal(fired.status, 200);
    assert.deepEqual(
      fired.body.value.map((a: any) => [a.PrinterId, a.AbortedJobs, a.LastJobId]),
      [[printers[1], threshold, "1"]],
    );
    assert.deepEqual(fired.body.value[0].JobIds.split(",").sort(), [...abortedBefore, "1"].sort());
    await assertRefused("/audit/triggers/printerFailing", [
      ["threshold=1", "threshold"],
      ["threshold=x", "threshold"],
      ["window=PT30S", "window"],
      ["window=P2D", "window"],
    ]);
  });
});

describe("retention", () => {
  test("the daily purge deletes events observed before the cutoff's hour, with the history, and keeps later ones", async () => {
    await auditIntoFreshTables();
    const store = (await auditClients()).auditStore();
    const { events } = await readAll("/audit/events?top=1000");
    assert.ok(events.length > 0);
    const kept = await purgeHistory(store, { retentionDays: 1, log: quietLog });
    assert.equal(kept.eventRows, 0, "events observed today stay");
    assert.equal((await readAll("/audit/events?top=1000")).events.length, events.length);
    const purged = await purgeHistory(store, {
      retentionDays: 1,
      now: new Date(Date.now() + 3 * 86_400_000),
      log: quietLog,
    });
    assert.equal(purged.eventRows, events.length);
    assert.deepEqual((await readAll("/audit/events?top=1000")).events, []);
  });
});

describe("the printer picker (ListAuditedPrinters)", () => {
  test("the audited printers with the names the runs recorded", async () => {
    await auditIntoFreshTables();
    const answer = await get("/audit/printers");
    assert.equal(answer.status, 200);
    assertMatchesDefinition("ListAuditedPrinters", answer);
    const byId = new Map(answer.body.value.map((p: any) => [p.id, p.displayName]));
    assert.equal(byId.get(quietPrinter), "Quiet printer");
    assert.equal(byId.get(printers[0]!), "Printer 1");
    assert.equal(byId.size, 3);
  });
});
