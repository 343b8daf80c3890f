/**
 * The read indexes against the full scan: generated audits are written as the recorder writes them (history,
 * then derived rows), then random questions are asked page by page (top 1, 2, ...). Each must answer exactly
 * the rows the old full-table scan selects on Azurite (the oracle), in the documented order (newest job first
 * across printers, then printer, job, state oldest first), every page full while more rows exist. The
 * backfill is interrupted and resumed; until it completes the old scan answers.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { derivedRowsByTable } from "../../src/audit/derived";
import { dayKey, summaryTargets } from "../../src/audit/summaries";
import {
  backfillIndexes,
  backfillPartition,
  backfillRowKey,
  indexRowKey,
  indexRows,
  isIndexComplete,
  MergedReader,
  readPage,
} from "../../src/audit/indexes";
import { invertedTime, jobHistoryRowKey } from "../../src/audit/keys";
import { historyFilter } from "../../src/audit/read";
import { listHistoryPage, publicRow, type HistoryQuery } from "../../src/audit/read";
import { purgeHistory } from "../../src/audit/retention";
import { type PrivacySettings } from "../../src/audit/snapshot";
import { AuditStore, tableClientFactory, type Row, type StoredRow } from "../../src/audit/store";
import { StrictAzurite } from "../rig/strictTables";

let azurite: StrictAzurite;
let prefixes = 0;
const privacy: PrivacySettings = { redactUsers: "none", omitDocumentNames: false };
const quiet = { log: () => undefined, warn: () => undefined };
const printers = [
  "0a000000-0000-4000-8000-000000000001",
  "0b000000-0000-4000-8000-000000000002",
  "0c000000-0000-4000-8000-000000000003",
];
const states = ["processing", "completed", "aborted", "canceled"];
const users = ["Alice@Contoso.com", "alice@contoso.com", "bob@contoso.com", "o'neil@contoso.com"];
const userIds = ["Alice@Contoso.com", "11111111-aaaa-4000-8000-000000000001", "22222222-bbbb-4000-8000-000000000002"];
const day0 = Date.UTC(2026, 10, 1);

before(async () => (azurite = await new StrictAzurite().start()));
after(() => azurite.stop());

function newStore(): AuditStore {
  return new AuditStore(
    `ix${++prefixes}p${process.pid}`,
    tableClientFactory({ kind: "connectionString", connectionString: azurite.connectionString }, () => {
      throw new Error("no identity here");
    }),
  );
}

interface GenJob {
  printer: number;
  id: string;
  createdMinute: number;
  user?: number;
  userId?: number;
  states: number[];
  /** A second row under the last sequence (a crash, then a change): both are kept. */
  twin: boolean;
}

const jobArb: fc.Arbitrary<GenJob> = fc.record({
  printer: fc.integer({ min: 0, max: printers.length - 1 }),
  id: fc.oneof(fc.integer({ min: 1, max: 60 }).map(String), fc.constantFrom("a/b", "x|y", "é-1")),
  // Ten days; several jobs share a minute (same time key on different printers).
  createdMinute: fc.integer({ min: 0, max: 10 * 24 * 60 - 1 }).map((m) => m - (m % 7)),
  user: fc.option(fc.integer({ min: 0, max: users.length - 1 }), { nil: undefined }),
  userId: fc.option(fc.integer({ min: 0, max: userIds.length - 1 }), { nil: undefined }),
  states: fc.array(fc.integer({ min: 0, max: states.length - 1 }), { minLength: 1, maxLength: 3 }),
  twin: fc.boolean(),
});

/** History rows as the recorder writes them (keys from the created time, job id, sequence and fingerprint). */
function historyRows(jobs: GenJob[]): Row[] {
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const job of jobs) {
    const key = `${job.printer}|${job.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const created = day0 + job.createdMinute * 60_000;
    const printerId = printers[job.printer]!;
    const observations = job.states.map((s, i) => ({
      state: states[s]!,
      sequence: i + 1,
      fp: `f${i}000000000`.slice(0, 10),
    }));
    if (job.twin) observations.push({ state: "completed", sequence: job.states.length, fp: "ffffffffff" });
    observations.forEach(({ state, sequence, fp }, i) => {
      rows.push({
        partitionKey: printerId,
        rowKey: jobHistoryRowKey(invertedTime(created), job.id, sequence, fp),
        PrinterId: printerId,
        PrinterName: `Printer ${job.printer}`,
        JobId: job.id,
        JobState: state,
        CreatedDateTime: new Date(created).toISOString(),
        ...(job.user !== undefined ? { CreatedBy: users[job.user]! } : {}),
        ...(job.userId !== undefined ? { CreatedById: userIds[job.userId]! } : {}),
        Sequence: sequence,
        ObservedDateTime: new Date(created + (i + 1) * 1000).toISOString(),
        RunId: "20261101T000000000Z-000001",
      });
    });
  }
  return rows;
}

/** Writes history and its derived rows the way the recorder does. */
async function record(store: AuditStore, rows: Row[], options: { withIndexes: boolean }): Promise<void> {
  await store.createRows(store.tables.jobs, rows);
  if (!options.withIndexes) return;
  for (const [table, derived] of derivedRowsByTable(
    store.tables,
    rows.map((row) => ({ row, kind: "job" as const })),
  ))
    await store.createRows(table, derived);
}

async function markComplete(store: AuditStore): Promise<void> {
  await store.mergeRow(store.tables.runs, {
    partitionKey: backfillPartition,
    rowKey: backfillRowKey,
    Status: "complete",
  });
}

/** The oracle: the old scan's filter run on Azurite over the whole Jobs table, every row. */
async function fullScan(store: AuditStore, q: HistoryQuery): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  let token: string | undefined;
  do {
    const page = await store.queryPage(store.tables.jobs, historyFilter(q, privacy), 1000, token);
    rows.push(...page.rows);
    token = page.continuationToken;
  } while (token);
  return rows;
}

/** The documented order, and with latest one row per job (highest sequence, then latest observation). */
function expected(rows: StoredRow[], q: HistoryQuery, order: "index" | "scan"): Record<string, unknown>[] {
  const sortKey = (r: StoredRow): string =>
    order === "index" ? indexRowKey(r.partitionKey!, r.rowKey!) : `${r.partitionKey}\n${r.rowKey}`;
  let sorted = [...rows].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  if (q.latest) {
    const byJob = new Map<string, StoredRow>();
    for (const r of sorted) {
      const job = `${r.partitionKey}\n${r.JobId}`;
      const seen = byJob.get(job);
      if (
        !seen ||
        Number(r.Sequence) > Number(seen.Sequence) ||
        (Number(r.Sequence) === Number(seen.Sequence) && String(r.ObservedDateTime) >= String(seen.ObservedDateTime))
      )
        byJob.set(job, r);
    }
    const kept = new Set(byJob.values());
    sorted = sorted.filter((r) => kept.has(r));
  }
  return sorted.map((r) => publicRow(r));
}

/** Every page of a question; each page with a token must be full. */
async function allPages(
  store: AuditStore,
  q: HistoryQuery,
): Promise<{ rows: Record<string, unknown>[]; pages: number }> {
  const rows: Record<string, unknown>[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await listHistoryPage(store, { ...q, ...(token ? { continuationToken: token } : {}) }, privacy);
    pages++;
    token = page.continuationToken;
    if (token) assert.equal(page.value.length, q.top, "a page with a continuation token is full");
    rows.push(...page.value);
    assert.ok(pages < 500, "paging ends");
  } while (token);
  return { rows, pages };
}

/** A row as a short line, so a failure shows which rows differ. */
const brief = (rows: Record<string, unknown>[]): string[] =>
  rows.map(
    (r) =>
      `${r.CreatedDateTime} ${String(r.PrinterId).slice(0, 2)} ${r.JobId} #${r.Sequence} ${r.JobState} ${r.ObservedDateTime}`,
  );

const queryArb: fc.Arbitrary<HistoryQuery> = fc
  .record({
    printer: fc.option(fc.integer({ min: 0, max: printers.length - 1 }), { nil: undefined, freq: 3 }),
    fromDay: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    days: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    state: fc.option(fc.constantFrom(...states, "pending"), { nil: undefined }),
    user: fc.option(fc.constantFrom(...users, ...userIds, "ALICE@CONTOSO.COM", "nobody@contoso.com"), {
      nil: undefined,
    }),
    latest: fc.boolean(),
    top: fc.integer({ min: 1, max: 7 }),
  })
  .map((g) => ({
    top: g.top,
    format: "json" as const,
    ...(g.printer !== undefined ? { printerId: printers[g.printer]! } : {}),
    ...(g.fromDay !== undefined ? { fromMs: day0 + g.fromDay * 86_400_000 } : {}),
    ...(g.days !== undefined ? { toMs: day0 + ((g.fromDay ?? 0) + g.days + 1) * 86_400_000 - 1 } : {}),
    ...(g.state !== undefined ? { state: g.state } : {}),
    ...(g.user !== undefined ? { user: g.user } : {}),
    ...(g.latest ? { latest: true } : {}),
  }));

describe("questions answered from the indexes", () => {
  test("every question answers exactly the full scan's rows, newest job first across printers, page after page", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jobArb, { minLength: 0, maxLength: 30 }),
        fc.array(queryArb, { minLength: 4, maxLength: 4 }),
        async (jobs, questions) => {
          const store = newStore();
          await record(store, historyRows(jobs), { withIndexes: true });
          await markComplete(store);
          for (const q of questions) {
            const want = expected(await fullScan(store, q), q, "index");
            const got = await allPages(store, q);
            assert.deepEqual(brief(got.rows), brief(want), JSON.stringify(q));
            assert.deepEqual(got.rows, want);
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 12) },
    );
  });

  test("while the backfill has not completed, the old scan answers the same rows (by printer first)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(jobArb, { minLength: 1, maxLength: 20 }),
        fc.array(queryArb, { minLength: 3, maxLength: 3 }),
        async (jobs, questions) => {
          const store = newStore();
          await record(store, historyRows(jobs), { withIndexes: false });
          for (const q of questions) {
            const got = await allPages(store, q);
            const want = expected(await fullScan(store, q), q, "scan");
            assert.deepEqual(brief(got.rows), brief(want), JSON.stringify(q));
            assert.deepEqual(got.rows, want);
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 6) },
    );
  });

  test("a token from another question, or altered, is refused with a 400-style input error", async () => {
    const store = newStore();
    const jobs = fc.sample(jobArb, { numRuns: 20, seed: 7 });
    await record(store, historyRows(jobs), { withIndexes: true });
    await markComplete(store);
    const first = await listHistoryPage(store, { top: 2, format: "json" }, privacy);
    assert.ok(first.continuationToken?.startsWith("ix1."));
    await assert.rejects(
      listHistoryPage(
        store,
        { top: 2, format: "json", state: "aborted", continuationToken: first.continuationToken },
        privacy,
      ),
      { name: "InputError" },
    );
    const forged = `ix1.${Buffer.from(JSON.stringify({ p: "x", c: [] })).toString("base64url")}`;
    await assert.rejects(listHistoryPage(store, { top: 2, format: "json", continuationToken: forged }, privacy), {
      name: "InputError",
    });
    const next = await listHistoryPage(
      store,
      { top: 2, format: "json", continuationToken: first.continuationToken },
      privacy,
    );
    assert.notDeepEqual(next.value, first.value);
  });

  test("under AUDIT_REDACT_USERS=omit there is no person in the indexes; hashed users are indexed by their pseudonym", () => {
    const store = newStore();
    const [row] = historyRows([{ printer: 0, id: "1", createdMinute: 0, states: [1], twin: false }]);
    assert.deepEqual(
      indexRows(store.tables, row!, "job")
        .map((d) => d.row.partitionKey)
        .filter((pk) => /^[ui]\|/.test(pk)),
      [],
    );
    const hashed = { ...row!, CreatedBy: "ab".repeat(32), CreatedById: "cd".repeat(32) };
    assert.deepEqual(
      indexRows(store.tables, hashed, "job")
        .map((d) => d.row.partitionKey)
        .filter((pk) => /^[ui]\|/.test(pk)),
      [`u|${"ab".repeat(32)}`, `i|${"cd".repeat(32)}`],
    );
    assert.deepEqual(indexRows(store.tables, row!, "task"), [], "task rows are not listed by the read API");
  });
});

describe("pages Table Storage ends early", () => {
  test("a partition page that stops before any row matched goes on from the service's token, within the page and across pages", async () => {
    const token = (n: number): string =>
      Buffer.from(JSON.stringify({ nextPartitionKey: `opaque${n}`, nextRowKey: `opaque${n}` })).toString("base64");
    const answers = new Map<string | undefined, { rows: StoredRow[]; continuationToken?: string }>([
      [undefined, { rows: [], continuationToken: token(1) }],
      [token(1), { rows: [], continuationToken: token(2) }],
      [token(2), { rows: [{ partitionKey: "P", rowKey: "a" } as StoredRow], continuationToken: token(3) }],
    ]);
    const calls: (string | undefined)[] = [];
    const store = {
      queryPage: async (_table: string, filter: string | undefined, _max: number, continuationToken?: string) => {
        calls.push(continuationToken);
        if (continuationToken === undefined && /RowKey gt 'a'/.test(filter ?? ""))
          return { rows: [], continuationToken: token(4) };
        if (continuationToken === token(4)) return { rows: [{ partitionKey: "P", rowKey: "b" } as StoredRow] };
        return answers.get(continuationToken)!;
      },
    } as unknown as AuditStore;
    const plan = { table: "T", partitions: ["P"] };
    const first = await readPage(new MergedReader(store, plan), { top: 1 });
    assert.deepEqual(
      first.rows.map((r) => r.rowKey),
      ["a"],
    );
    assert.ok(first.continuationToken, "the empty service page was looked past to find the next row");
    const second = await readPage(new MergedReader(store, plan, first.continuationToken), { top: 1 });
    assert.deepEqual(
      second.rows.map((r) => r.rowKey),
      ["b"],
    );
    assert.equal(second.continuationToken, undefined);
    // The second page starts at the service's own position: the look-ahead that ended the first page found it.
    assert.deepEqual(calls, [undefined, token(1), token(2), undefined, token(4), token(4)]);
  });
});

describe("backfill of history recorded before the indexes", () => {
  test("interrupted after a page, resumed, idempotent; the API answers correctly before, during and after", async () => {
    const store = newStore();
    const rows = historyRows(fc.sample(jobArb, { numRuns: 60, seed: 42 }));
    await record(store, rows, { withIndexes: false });
    const q: HistoryQuery = { top: 5, format: "json", state: "completed" };
    const want = await fullScan(store, q);
    assert.ok(want.length > 5);

    let pages = 0;
    const partial = await backfillIndexes(store, { log: quiet, pageSize: 10, shouldStop: () => pages++ >= 2 });
    assert.equal(partial.complete, false);
    assert.equal(partial.rowsRead, 20);
    assert.equal(await isIndexComplete(store), false);
    const progress = await store.getRow(store.tables.runs, backfillPartition, backfillRowKey);
    assert.equal(progress?.Status, "running");
    assert.equal(progress?.RowsRead, 20);
    // Still the old scan, still every row.
    assert.deepEqual((await allPages(store, q)).rows, expected(want, q, "scan"));

    // A crash after writing index rows but before saving the position: the same page is indexed again.
    await store.createRows(
      store.tables.jobIndex,
      rows.slice(20, 25).flatMap((r) => indexRows(store.tables, r, "job").map((d) => d.row)),
    );
    const logs: string[] = [];
    const rest = await backfillIndexes(store, {
      log: { log: (m) => logs.push(m), warn: (m) => logs.push(m) },
      pageSize: 10,
    });
    assert.equal(rest.complete, true);
    assert.equal(rest.rowsRead, rows.length - 20, "resumed where it stopped");
    assert.ok(logs.some((m) => /resuming after 20 history row/.test(m)));
    assert.equal(await isIndexComplete(store), true);

    const index = await fullIndex(store);
    const expectedIndex = rows
      .flatMap((r) => indexRows(store.tables, r, "job").map((d) => `${d.row.partitionKey}\n${d.row.rowKey}`))
      .sort();
    assert.deepEqual(index, expectedIndex, "every history row indexed once, no duplicate, no gap");
    // The daily summaries of the older history are rebuilt along the way: one row per day and printer it holds.
    const summaryKeys = new Set<string>();
    for await (const e of store.scan(store.tables.summaries)) summaryKeys.add(`${e.partitionKey}\n${e.rowKey}`);
    const wantedSummaries = [...summaryTargets(rows).values()].map(
      ({ day, printerId }) => `${dayKey(day)}\n${printerId}`,
    );
    assert.ok(wantedSummaries.length > 0);
    assert.deepEqual(
      wantedSummaries.filter((k) => !summaryKeys.has(k)),
      [],
      "every day and printer of the history has its summary",
    );
    assert.deepEqual((await allPages(store, q)).rows, expected(want, q, "index"));

    // Done is done: a further run reads the marker and writes nothing.
    const again = await backfillIndexes(store, { log: quiet });
    assert.deepEqual(again, { complete: true, rowsRead: 0, indexRowsWritten: 0, pages: 0 });
  });
});

async function fullIndex(store: AuditStore): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.queryPage(store.tables.jobIndex, undefined, 1000, token);
    keys.push(...page.rows.map((r) => `${r.partitionKey}\n${r.rowKey}`));
    token = page.continuationToken;
  } while (token);
  return keys.sort();
}

describe("retention", () => {
  test("index rows go with the history they came from", async () => {
    const store = newStore();
    const rows = historyRows(fc.sample(jobArb, { numRuns: 30, seed: 3 }));
    await record(store, rows, { withIndexes: true });
    const now = new Date(day0 + 5 * 86_400_000 + 400 * 86_400_000);
    const result = await purgeHistory(store, { retentionDays: 400, now, log: quiet });
    const cutoff = now.getTime() - 400 * 86_400_000;
    const kept = rows.filter((r) => Date.parse(String(r.CreatedDateTime)) >= cutoff);
    assert.ok(kept.length > 0 && kept.length < rows.length);
    assert.equal(result.jobRows, rows.length - kept.length);
    const expectedIndex = kept
      .flatMap((r) => indexRows(store.tables, r, "job").map((d) => `${d.row.partitionKey}\n${d.row.rowKey}`))
      .sort();
    assert.deepEqual(await fullIndex(store), expectedIndex);
    assert.equal(
      result.indexRows,
      rows.flatMap((r) => indexRows(store.tables, r, "job")).length - expectedIndex.length,
    );
  });
});

describe("writing index rows", () => {
  test("the rows-written count is every row created, when many partitions are written at once", async () => {
    const store = newStore();
    const rows = historyRows(fc.sample(jobArb, { numRuns: 60, seed: 5 }));
    const indexes = rows.flatMap((r) => indexRows(store.tables, r, "job").map((d) => d.row));
    const partitions = new Set(indexes.map((r) => r.partitionKey));
    assert.ok(partitions.size > 8, `the rows span ${partitions.size} partitions, written concurrently`);
    const counts = await store.createRows(store.tables.jobIndex, indexes);
    const stored = (await fullIndex(store)).length;
    assert.ok(stored > 0);
    assert.equal(counts.rows + (counts.existing?.length ?? 0), indexes.length);
    assert.equal(counts.rows, stored);
  });
});
