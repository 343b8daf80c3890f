/**
 * The daily summaries kept at record time and the job list of latest states (latest=true), against a full
 * scan of the recorded history in Azurite (the oracle): after state changes, a replayed message, a crash
 * between the history and the current state, two runs of one printer at once, retention, and under each
 * privacy setting.
 */
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { newRunId } from "../../src/audit/keys";
import { auditFaultPoints } from "../../src/audit/recorder";
import { purgeHistory } from "../../src/audit/retention";
import { AuditStore, entityBytes, maxEntityBytes } from "../../src/audit/store";
import { dayKey, summarizeHistory, summaryOfRow, summaryRow } from "../../src/audit/summaries";
import { assertMatchesDefinition } from "../rig/openapi";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

let rig: Rig;
let prefix = "";
let prefixCounter = 0;
const printers = [1, 2, 3].map(printerIdFor);
const states = ["pending", "processing", "completed", "completed", "aborted", "canceled", "completed"];

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 7 } });
  await serveAuditQueues(rig);
});
after(async () => {
  await rig.stop();
});
beforeEach(() => {
  delete auditFaultPoints.beforeCurrentStateWrite;
});

/** Three printers, jobs over three UTC days (some just either side of midnight), every state, four users. */
function seedTenant(jobsPerPrinter = 16): void {
  for (const [p, printerId] of printers.entries()) {
    rig.sim.printers.delete(printerId);
    rig.sim.addPrinter({ id: printerId, displayName: `Printer ${p + 1}` });
    for (let j = 1; j <= jobsPerPrinter; j++) {
      const day = j % 3;
      // Unique created times: the order across printers is then one order.
      const minute = j === 1 ? 23 * 60 + 59 : j === 2 ? 0 : 8 * 60 + j * 5 + p;
      const created = new Date(Date.UTC(2026, 10, 18 + day, 0, minute, p)).toISOString();
      rig.sim.addJob(
        printerId,
        makeJob(printerId, j, { state: states[(j + p) % states.length], userIndex: j + p, createdDateTime: created }),
      );
    }
  }
}

function freshTables(env: Record<string, string | undefined> = {}): void {
  prefix = `s${++prefixCounter}x${Date.now().toString(36)}`;
  rig.configure({
    AUDIT_TABLE_PREFIX: prefix,
    AUDIT_PRINTER_IDS: printers.join(","),
    AUDIT_REDACT_USERS: undefined,
    AUDIT_RETENTION_DAYS: undefined,
    ...env,
  });
}

function table(suffix: string): TableClient {
  return TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${suffix}`, {
    allowInsecureConnection: true,
  });
}

async function rows(suffix: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  try {
    for await (const e of table(suffix).listEntities()) out.push(e);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return out;
}

const runAudit = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

/** The oracle: every history row read, each job's latest observation (highest Sequence, then latest observed), counted by created UTC day. */
async function scanOracle(): Promise<{
  days: Record<string, Record<string, number>>;
  printers: Record<string, number>;
  users: Record<string, number>;
  latest: Record<string, any>[];
}> {
  const latest = new Map<string, Record<string, any>>();
  for (const row of await rows("Jobs")) {
    const key = `${row.PrinterId}|${row.JobId}`;
    const seen = latest.get(key);
    if (
      !seen ||
      row.Sequence > seen.Sequence ||
      (row.Sequence === seen.Sequence && row.ObservedDateTime > seen.ObservedDateTime)
    )
      latest.set(key, row);
  }
  const days: Record<string, Record<string, number>> = {};
  const perPrinter: Record<string, number> = {};
  const users: Record<string, number> = {};
  for (const row of latest.values()) {
    const day = new Date(row.CreatedDateTime).toISOString().slice(0, 10);
    days[day] ??= {};
    days[day]![row.JobState] = (days[day]![row.JobState] ?? 0) + 1;
    perPrinter[row.PrinterId] = (perPrinter[row.PrinterId] ?? 0) + 1;
    const user = row.CreatedBy ?? row.CreatedById;
    if (user) users[user] = (users[user] ?? 0) + 1;
  }
  return { days, printers: perPrinter, users, latest: [...latest.values()] };
}

async function getJson(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${rig.api}${path}`);
  const answer = { status: response.status, body: await response.json(), headers: response.headers };
  // The summaries' answers, good and bad, are the ones the OpenAPI definition (and so the connector) describes.
  if (path.startsWith("/audit/summaries")) assertMatchesDefinition("GetAuditSummaries", answer);
  return answer;
}

async function summaries(query = "from=2026-11-17&to=2026-11-21&top=100"): Promise<any> {
  const { status, body } = await getJson(`/audit/summaries?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/** The route's answer equals the full scan, day by day, state by state, printer by printer and person by person. */
async function assertMatchesScan(options: { current?: boolean } = {}): Promise<void> {
  const oracle = await scanOracle();
  // The first read repairs what a crash left marked, the second fills the day rows, the third reads them.
  for (let i = 0; i < 2; i++) await matches(oracle, options);
  assert.deepEqual(
    (await rows("Summaries")).filter((r) => r.Dirty === true),
    [],
    "once read, no summary row is left marked",
  );
  await matches(oracle, options);
}

async function matches(oracle: Awaited<ReturnType<typeof scanOracle>>, options: { current?: boolean }): Promise<void> {
  const answer = await summaries();
  const days = Object.fromEntries(answer.days.filter((d: any) => d.jobs > 0).map((d: any) => [d.day, d.states]));
  assert.deepEqual(days, oracle.days, "jobs per state per day");
  assert.deepEqual(
    Object.fromEntries(answer.printers.map((p: any) => [p.printerId, p.jobs])),
    oracle.printers,
    "jobs per printer",
  );
  assert.deepEqual(Object.fromEntries(answer.users.map((u: any) => [u.user, u.jobs])), oracle.users, "jobs per person");
  assert.equal(answer.jobs, oracle.latest.length);
  // The current-state rows are the other oracle: the latest state of each job (retention keeps unfinished ones).
  if (options.current === false) return;
  const current = await rows("Current");
  assert.equal(current.length, answer.jobs);
  for (const printer of answer.printers) {
    const mine = current.filter((c) => c.PrinterId === printer.printerId);
    assert.equal(mine.filter((c) => c.JobState === "aborted").length, printer.aborted);
    assert.equal(mine.filter((c) => c.JobState === "canceled").length, printer.canceled);
  }
}

describe("daily summaries kept at record time", () => {
  before(() => {
    seedTenant();
    freshTables();
  });

  test("a run's summaries equal a full scan of the history; a state change moves a job from one count to another", async () => {
    await runAudit();
    await assertMatchesScan();
    const before = await summaries();
    const printerId = printers[0]!;
    const job = rig.sim.job(printerId, "3");
    const created = String(job.createdDateTime).slice(0, 10);
    const was = job.status!.state!;
    assert.notEqual(was, "aborted");
    rig.sim.setJobState(printerId, "3", "aborted");
    await runAudit();
    await assertMatchesScan();
    const after = await summaries();
    const dayBefore = before.days.find((d: any) => d.day === created);
    const dayAfter = after.days.find((d: any) => d.day === created);
    assert.equal(dayAfter.jobs, dayBefore.jobs, "the job still counts once on its created day");
    assert.equal(dayAfter.states.aborted, (dayBefore.states.aborted ?? 0) + 1);
    assert.equal(dayAfter.states[was] ?? 0, dayBefore.states[was] - 1);
  });

  test("a replayed message changes nothing", async () => {
    const stored = (await rows("Summaries"))
      .map(({ etag: _e, timestamp: _t, ComputedDateTime: _c, ...rest }) => JSON.stringify(rest))
      .sort();
    rig.sim.setJobState(printers[1]!, "5", "canceled");
    const message = { runId: newRunId(), printerId: printers[1]! };
    await rig.host.invokeQueue("auditPrinter", message);
    await rig.host.invokeQueue("auditPrinter", message, { dequeueCount: 2 });
    await assertMatchesScan();
    assert.notDeepEqual(
      (await rows("Summaries"))
        .map(({ etag: _e, timestamp: _t, ComputedDateTime: _c, ...rest }) => JSON.stringify(rest))
        .sort(),
      stored,
      "the change is counted",
    );
  });

  test("a crash between the history and the current state leaves the summary marked; a read repairs it and the re-run keeps it exact", async () => {
    const printerId = printers[2]!;
    rig.sim.setJobState(printerId, "4", "completed");
    rig.sim.setJobState(printerId, "7", "aborted");
    let crashes = 0;
    auditFaultPoints.beforeCurrentStateWrite = (p) => {
      if (p === printerId && crashes++ === 0) throw new Error("simulated crash before the current-state write");
    };
    await assert.rejects(rig.host.invokeQueue("auditPrinter", { runId: newRunId(), printerId }));
    assert.ok(
      (await rows("Summaries")).some((r) => r.Dirty === true && r.PrinterId === printerId),
      "marked, not yet recomputed",
    );
    // The history holds the new states, the current state not yet: the summaries count what was recorded.
    await assertMatchesScan({ current: false });
    await runAudit();
    await assertMatchesScan();
  });

  test("two runs of one printer at once: exact", async () => {
    const printerId = printers[0]!;
    for (const id of ["1", "2", "6", "9", "12"])
      rig.sim.setJobState(printerId, id, id === "9" ? "canceled" : "completed");
    rig.sim.addJob(
      printerId,
      makeJob(printerId, 40, { state: "processing", createdDateTime: "2026-11-19T12:00:00.000Z" }),
    );
    const message = { runId: newRunId(), printerId };
    const outcomes = await Promise.allSettled([
      rig.host.invokeQueue("auditPrinter", message),
      rig.host.invokeQueue("auditPrinter", { ...message, runId: newRunId() }),
    ]);
    for (const o of outcomes)
      if (o.status === "rejected") assert.equal((o.reason as Error).name, "CurrentStateConflictError");
    await rig.host.invokeQueue("auditPrinter", message, { dequeueCount: 2 });
    await assertMatchesScan();
  });

  test("a summary row never passes Table limits: many people are split over columns and read back whole", () => {
    const history = Array.from({ length: 3000 }, (_, i) => ({
      rowKey: `${String(7_000_000_000_000 + i).padStart(13, "0")}|${i}|000001|abc`,
      JobState: "completed",
      Sequence: 1,
      CreatedBy: `${"f".repeat(56)}${String(i).padStart(8, "0")}`,
    }));
    const summary = summarizeHistory("2026-11-20", printers[0]!, history);
    const row = summaryRow(summary);
    for (const value of Object.values(row)) if (typeof value === "string") assert.ok(value.length <= 32_000);
    assert.deepEqual(summaryOfRow(row).users, summary.users);
    assert.equal(row.partitionKey, dayKey("2026-11-20"));
    // Far more people than a row holds: cut, and said so, but the row still fits Table's 1 MiB.
    const crowd = summarizeHistory(
      "2026-11-20",
      printers[0]!,
      Array.from({ length: 20_000 }, (_, i) => ({
        ...history[0]!,
        rowKey: `${String(7_000_000_000_000 + i).padStart(13, "0")}|${i}|000001|abc`,
        CreatedBy: `${"e".repeat(56)}${String(i).padStart(8, "0")}`,
      })),
    );
    const big = summaryRow(crowd);
    assert.equal(big.UsersCut, true);
    assert.ok(entityBytes(big) < maxEntityBytes, `${entityBytes(big)} bytes`);
  });
});

describe("the summaries route", () => {
  before(() => freshTables());

  test("bad input: a JSON 400 naming the option, never sniffed", async () => {
    for (const [query, target] of [
      ["from=2026-13-01", "from"],
      ["from=2026-02-30", "from"],
      ["from=2026-11-20&to=2026-11-19", "from"],
      ["from=2025-01-01&to=2026-11-20", "to"],
      ["printerId=nope", "printerId"],
      ["top=0", "top"],
      ["state=completed", "state"],
      ["from=2026-11-20&from=2026-11-21", "from"],
      ["from=0001-01-01", "from"],
      ["to=9999-12-31", "to"],
    ] as const) {
      const { status, body, headers } = await getJson(`/audit/summaries?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.error.target, target, query);
      assert.equal(headers.get("x-content-type-options"), "nosniff");
      assert.match(headers.get("content-type") ?? "", /application\/json/);
    }
  });

  test("an audit with nothing recorded yet answers every day with zero", async () => {
    const body = await summaries("from=2026-11-01&to=2026-11-30");
    assert.equal(body.days.length, 30);
    assert.equal(body.jobs, 0);
    assert.deepEqual(body.printers, []);
  });
  test("a year of summaries costs a bounded number of Table requests, however many days are quiet", async () => {
    seedTenant(6);
    freshTables();
    await runScheduledAudit(rig, { timeoutMs: 20_000 });
    const year = "from=2025-11-22&to=2026-11-21";
    const tables = rig.azurite!.tables;
    const costs: number[] = [];
    let first: any;
    for (let i = 0; i < 3; i++) {
      tables.takeCounts();
      const body = await summaries(year);
      costs.push(tables.takeCounts().requests);
      first ??= body;
      assert.equal(body.days.length, 365);
      assert.deepEqual(body, first, "the same answer every time");
    }
    assert.ok(first.jobs > 0);
    // Two range queries, and for each of the 3 busy days its repairs and its day row written back.
    assert.ok(costs[0]! <= 2 + 3 * 4, `first read of a year: ${costs.join(", ")} requests`);
    assert.deepEqual(costs.slice(1), [2, 2], `later reads of the year: ${costs.join(", ")} requests`);
    tables.takeCounts();
    await summaries(`${year}&printerId=${printers[0]}`);
    assert.equal(tables.takeCounts().requests, 1, "one printer's year: one query");
  });
});

describe("privacy settings reach the person counts", () => {
  test("hash: pseudonyms only; omit: no person counted", async () => {
    seedTenant(6);
    freshTables({ AUDIT_REDACT_USERS: "hash", AUDIT_HASH_KEY: randomBytes(32).toString("base64") });
    await runAudit();
    const hashed = await summaries();
    assert.ok(
      hashed.users.length > 0 && hashed.users.every((u: any) => /^[0-9a-f]{64}$/.test(u.user)),
      JSON.stringify(hashed.users),
    );
    assert.ok(!JSON.stringify(await rows("Summaries")).includes("@contoso.com"));
    await assertMatchesScan();
    freshTables({ AUDIT_REDACT_USERS: "omit" });
    await runAudit();
    const omitted = await summaries();
    assert.deepEqual(omitted.users, []);
    assert.equal(omitted.usersRecorded, false);
    assert.ok(omitted.jobs > 0);
  });
});

describe("the job list of latest states (latest=true)", () => {
  before(async () => {
    seedTenant(16);
    freshTables();
    await runAudit();
    // Some jobs move on, so history holds several observations of them.
    for (const id of ["1", "3", "8"]) rig.sim.setJobState(printers[1]!, id, "completed");
    await runAudit();
  });

  async function allPages(query: string): Promise<{ jobs: string[]; pages: number[] }> {
    const jobs: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const { status, body } = await getJson(
        `/audit/jobs?latest=true&${query}${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`,
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(body.value.length > 0, "no empty page");
      pages.push(body.value.length);
      for (const row of body.value) jobs.push(`${row.PrinterId}/${row.JobId}/${row.JobState}`);
      token = body.continuationToken;
      if (token) assert.match(body["@odata.nextLink"], /latest=true/);
    } while (token);
    return { jobs, pages };
  }

  function expected(filter: (row: Record<string, any>) => boolean, latest: Record<string, any>[]): string[] {
    return latest
      .filter(filter)
      .sort((a, b) => b.CreatedDateTime.localeCompare(a.CreatedDateTime) || a.PrinterId.localeCompare(b.PrinterId))
      .map((r) => `${r.PrinterId}/${r.JobId}/${r.JobState}`);
  }

  test("each job once, in its latest state, newest first across printers, across page boundaries", async () => {
    const { latest } = await scanOracle();
    const { jobs, pages } = await allPages("top=7");
    assert.deepEqual(
      jobs,
      expected(() => true, latest),
    );
    assert.ok(pages.length >= 6 && pages.slice(0, -1).every((n) => n === 7), JSON.stringify(pages));
    // Once the day rows are filled (by reading the summaries), the list reads the printers and hours from them: the same jobs.
    await summaries();
    await summaries();
    assert.ok((await rows("Summaries")).some((r) => r.rowKey === "~day" && r.Dirty === false));
    assert.deepEqual((await allPages("top=7")).jobs, jobs);
    assert.deepEqual((await allPages("top=2")).jobs, jobs);
  });

  test("filtered by state, printer and dates", async () => {
    const { latest } = await scanOracle();
    assert.deepEqual(
      (await allPages("top=3&state=completed")).jobs,
      expected((r) => r.JobState === "completed", latest),
    );
    assert.deepEqual(
      (await allPages(`top=4&printerId=${printers[1]}`)).jobs,
      expected((r) => r.PrinterId === printers[1], latest),
    );
    const from = Date.parse("2026-11-19T00:00:00Z");
    const to = Date.parse("2026-11-19T08:30:00Z");
    assert.deepEqual(
      (await allPages("top=5&from=2026-11-19T00:00:00Z&to=2026-11-19T08:30:00Z")).jobs,
      expected((r) => Date.parse(r.CreatedDateTime) >= from && Date.parse(r.CreatedDateTime) <= to, latest),
    );
    const { status, body } = await getJson("/audit/jobs?latest=yes");
    assert.equal(status, 400);
    assert.equal(body.error.target, "latest");
  });

  test("retention takes the summaries of purged days with the history", async () => {
    const store = new AuditStore(prefix, (name) =>
      TableClient.fromConnectionString(rig.azurite!.connectionString, name, { allowInsecureConnection: true }),
    );
    const log = { log: () => undefined, warn: () => undefined };
    // Cut in the middle of 2026-11-19: the 18th goes, the 19th is recomputed from what is left.
    const result = await purgeHistory(store, {
      retentionDays: 10,
      now: new Date(Date.parse("2026-11-19T08:20:00Z") + 10 * 86_400_000),
      log,
    });
    assert.ok((result.summaryRows ?? 0) > 0);
    const left = await rows("Summaries");
    assert.ok(
      left.every((r) => r.Day >= "2026-11-19"),
      JSON.stringify(left.map((r) => r.Day)),
    );
    await assertMatchesScan({ current: false });
  });
});
