/**
 * `npm run bench -- read`: reading the audit at tenant scale. An audit of 60,000 jobs on 200 printers over
 * 30 days is recorded by the app's own runs (timer, queue, per-printer audit against the simulator, latency
 * 0, pages of 1,000), in two runs so that active jobs get a second state. Then the auditors' questions are
 * asked through the read API's own code, first on the old scan path (as before the indexes: no "index
 * complete" marker), then on the indexes, each to its last page (top=1000), and for each the bench prints:
 * rows returned, Table Storage requests, rows Table Storage must read, and time.
 *
 * Rows read are modelled from each request a counting proxy in front of Azurite sees (Azurite filters in
 * memory, so its timings say nothing about the service): a query naming `PartitionKey eq` reads the rows of
 * that partition inside its RowKey range, from where it starts (its continuation) to where it stops (the
 * continuation it answers); a query without it reads the table from its continuation to where it stops.
 * READ_BENCH_JOBS changes the number of jobs (a multiple of 200).
 * Then a year of daily summaries through the route (GET /api/audit/summaries), read three times, with the
 * Table requests each read costs.
 */
import { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { TableClient } from "@azure/data-tables";
import { backfillPartition, backfillRowKey } from "../src/audit/indexes";
import { listHistoryPage, type HistoryQuery } from "../src/audit/read";
import { type PrivacySettings } from "../src/audit/snapshot";
import { AuditStore, tableClientFactory } from "../src/audit/store";
import { CountingProxy, RequestCounter } from "../test/rig/countingProxy";
import { runScheduledAudit, serveAuditQueues } from "../test/rig/auditedApp";
import { startRig, type Rig } from "../test/rig/rig";
import { makeJob, printerIdFor } from "../sandbox/tenant";

const dayMs = 86_400_000;
const start = Date.UTC(2026, 9, 1);
const days = 30;
const printerCount = 200;
const userCount = 1_300;
const teamSize = 30;
const teams = Math.ceil(userCount / teamSize);
const prefix = "benchread";
const privacy: PrivacySettings = { redactUsers: "none", omitDocumentNames: false };

/** A small seeded generator, so every run records the same audit. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const userOf = (u: number): { id: string; displayName: string; userPrincipalName: string } => ({
  id: `${u.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`,
  displayName: `Person ${u}`,
  userPrincipalName: `person${u}@contoso.com`,
});

const appRun = (rig: Rig): Promise<void> => runScheduledAudit(rig, { timeoutMs: 3_600_000, pollMs: 20 });

/** Every key of a table in (PartitionKey, RowKey) order, as "PK\0RK" (keys hold no control characters). */
async function keysOf(connectionString: string, table: string): Promise<string[]> {
  const keys: string[] = [];
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  for await (const e of client.listEntities({ queryOptions: { select: ["PartitionKey", "RowKey"] } }))
    keys.push(`${e.partitionKey}\u0000${e.rowKey}`);
  return keys.sort();
}

/** How many sorted keys lie in [from, to). */
function countBetween(keys: readonly string[], from: string, to: string): number {
  const lower = (x: string): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Math.max(0, lower(to) - lower(from));
}

const unquote = (v: string): string => v.replace(/''/g, "'");
const decode = (v: unknown): string | undefined =>
  typeof v === "string" && v.length > 0 ? Buffer.from(v, "base64").toString("utf8") : undefined;

/** The rows Table Storage must read to answer one query request (see the header). */
function rowsRead(tables: Map<string, string[]>, req: IncomingMessage, headers: IncomingHttpHeaders): number {
  const url = new URL(req.url ?? "/", "http://x");
  const match = /\/([A-Za-z0-9]+)\((.*)\)$/.exec(decodeURIComponent(url.pathname));
  if (!match || req.method !== "GET") return 0;
  if (match[2]) return 1; // a point read
  const keys = tables.get(match[1]!);
  if (!keys) return 0;
  const filter = url.searchParams.get("$filter") ?? "";
  const fromNext = decode(url.searchParams.get("NextPartitionKey") ?? undefined);
  const fromNextRow = decode(url.searchParams.get("NextRowKey") ?? undefined) ?? "";
  const stopPk = decode(headers["x-ms-continuation-nextpartitionkey"]);
  const stopRow = decode(headers["x-ms-continuation-nextrowkey"]) ?? "";
  let from = fromNext !== undefined ? `${fromNext}\u0000${fromNextRow}` : "";
  let to = stopPk !== undefined ? `${stopPk}\u0000${stopRow}` : "\uffff";
  const partition = /^PartitionKey eq '((?:[^']|'')*)'/.exec(filter);
  if (partition) {
    const pk = unquote(partition[1]!);
    let low = `${pk}\u0000`;
    let high = `${pk}\u0001`;
    for (const [, op, value] of filter.matchAll(/RowKey (ge|gt|lt|le) '((?:[^']|'')*)'/g)) {
      const key = `${pk}\u0000${unquote(value!)}`;
      if (op === "ge" && key > low) low = key;
      if (op === "gt" && `${key}\u0000` > low) low = `${key}\u0000`;
      if (op === "lt" && key < high) high = key;
      if (op === "le" && `${key}\u0000` < high) high = `${key}\u0000`;
    }
    if (low > from) from = low;
    if (high < to) to = high;
  }
  return countBetween(keys, from, to);
}

interface Question {
  label: string;
  query: Omit<HistoryQuery, "top" | "format">;
  /** Named a person, a day range or a state: the goal is at most 2 rows read per row returned. */
  goal: boolean;
}

interface Answer {
  rows: number;
  requests: number;
  read: number;
  ms: number;
  pages: number;
}

export async function run(): Promise<void> {
  const jobs = Number(process.env.READ_BENCH_JOBS ?? 60_000);
  const perPrinter = Math.ceil(jobs / printerCount);
  const rig = await startRig({ storage: true, simulator: { latencyMs: 0, pageSize: 1000 } });
  try {
    await serveAuditQueues(rig, 5);
    const rand = random(12);
    const printers: string[] = [];
    const active: [string, string][] = [];
    for (let p = 1; p <= printerCount; p++) {
      const printerId = printerIdFor(p);
      printers.push(printerId);
      rig.sim.addPrinter({ id: printerId, displayName: `Printer ${p}` });
      for (let j = 1; j <= perPrinter; j++) {
        const r = rand();
        const state = r < 0.3 ? "processing" : r < 0.95 ? "completed" : r < 0.975 ? "aborted" : "canceled";
        const job = makeJob(printerId, j, {
          state,
          createdDateTime: new Date(start + Math.floor(rand() * days * dayMs)).toISOString(),
        });
        // A printer serves a team of about 30 people (its floor); everyone prints on a few printers.
        job.createdBy = userOf(((p % teams) * teamSize + Math.floor(rand() * teamSize)) % userCount);
        rig.sim.addJob(printerId, job);
        if (state === "processing") active.push([printerId, job.id]);
      }
    }
    rig.configure({ AUDIT_PRINTER_IDS: printers.join(","), AUDIT_TABLE_PREFIX: prefix });
    console.log(
      `${printerCount * perPrinter} jobs on ${printerCount} printers over ${days} days, ${userCount} people; recorded by the app's audit runs (simulator latency 0, pages of ${rig.sim.pageSize})`,
    );
    let t = performance.now();
    await appRun(rig);
    console.log(`first audit run: ${((performance.now() - t) / 1000).toFixed(0)} s`);
    for (const [printerId, jobId] of active)
      rig.sim.setJobState(printerId, jobId, rand() < 0.85 ? "completed" : "aborted");
    rig.sim.requests.length = 0;
    t = performance.now();
    await appRun(rig);
    console.log(`second audit run (${active.length} jobs moved on): ${((performance.now() - t) / 1000).toFixed(0)} s`);
    rig.sim.requests.length = 0;

    const connectionString = rig.azurite!.connectionString;
    const tables = new Map<string, string[]>();
    for (const name of ["Jobs", "JobIndex"])
      tables.set(`${prefix}${name}`, await keysOf(connectionString, `${prefix}${name}`));
    const historyRows = tables.get(`${prefix}Jobs`)!.length;
    console.log(`${historyRows} history rows, ${tables.get(`${prefix}JobIndex`)!.length} index rows`);

    const counter = new RequestCounter();
    let read = 0;
    counter.answered = (_n, req, _status, headers) => (read += rowsRead(tables, req, headers));
    const tableOrigin = /TableEndpoint=(http:\/\/[^/;]+)/.exec(connectionString)![1]!;
    const proxy = await new CountingProxy(tableOrigin, counter).start();
    try {
      const viaProxy = connectionString.replace(tableOrigin, proxy.origin);
      const storeOf = (): AuditStore =>
        new AuditStore(
          prefix,
          tableClientFactory({ kind: "connectionString", connectionString: viaProxy }, () => undefined as never),
        );
      /** Straight to Azurite, not counted: for the bench's own reads and its marker. */
      const direct = new AuditStore(
        prefix,
        tableClientFactory({ kind: "connectionString", connectionString }, () => undefined as never),
      );

      // The questions: a person seen often enough to matter, the last day, the last week.
      const sample = (await listHistoryPage(direct, { top: 1, format: "json", printerId: printers[7]! }, privacy))
        .value[0]!;
      const person = String(sample.CreatedBy);
      const lastDay = start + (days - 1) * dayMs;
      const day = start + 15 * dayMs;
      const week = { fromMs: lastDay - 6 * dayMs, toMs: lastDay + dayMs - 1 };
      const questions: Question[] = [
        { label: "one person's jobs, all time", query: { user: person }, goal: true },
        { label: "one person's jobs, last 7 days", query: { user: person, ...week }, goal: true },
        {
          label: "all jobs created on one day, every printer",
          query: { fromMs: day, toMs: day + dayMs - 1 },
          goal: true,
        },
        { label: "aborted jobs, last 7 days, every printer", query: { state: "aborted", ...week }, goal: true },
        { label: "one printer, last 7 days", query: { printerId: printers[7]!, ...week }, goal: true },
        {
          label: "latest state per job, one day (job list)",
          query: { latest: true, fromMs: day, toMs: day + dayMs - 1 },
          goal: true,
        },
      ];

      const ask = async (store: AuditStore, q: Question, top = 1000, maxPages = Infinity): Promise<Answer> => {
        const before = { requests: counter.count, read };
        const began = performance.now();
        let rows = 0;
        let pages = 0;
        let token: string | undefined;
        do {
          const page = await listHistoryPage(
            store,
            { ...q.query, top, format: "json", ...(token ? { continuationToken: token } : {}) },
            privacy,
          );
          rows += page.value.length;
          pages++;
          token = page.continuationToken;
        } while (token && pages < maxPages);
        return {
          rows,
          requests: counter.count - before.requests,
          read: read - before.read,
          ms: Math.round(performance.now() - began),
          pages,
        };
      };

      const results: { q: Question; before: Answer; after: Answer }[] = [];
      // An audit recorded before the indexes has no "index complete" marker; this one's first run set it (a new
      // audit has nothing older to index), so it is taken away for the old path's answers.
      await direct.deleteRow(`${prefix}Runs`, { partitionKey: backfillPartition, rowKey: backfillRowKey });
      const scanStore = storeOf();
      const beforeAnswers = [];
      for (const q of questions) beforeAnswers.push(await ask(scanStore, q));
      const firstPageBefore = await ask(scanStore, { label: "", query: { latest: true }, goal: false }, 100, 1);
      // The recorder indexed every row as it wrote it: nothing older to backfill, so the marker is set here.
      await direct.mergeRow(`${prefix}Runs`, {
        partitionKey: backfillPartition,
        rowKey: backfillRowKey,
        Status: "complete",
      });
      const indexStore = storeOf();
      for (const [i, q] of questions.entries())
        results.push({ q, before: beforeAnswers[i]!, after: await ask(indexStore, q) });
      const firstPage = {
        before: firstPageBefore,
        after: await ask(indexStore, { label: "", query: { latest: true }, goal: false }, 100, 1),
      };

      const ratio = (a: Answer): string => (a.rows === 0 ? "-" : `${(a.read / a.rows).toFixed(2)}x`);
      const fmt = (n: number): string => n.toLocaleString("en-US");
      console.log(
        `\n| question | rows returned | requests before / after | rows read before / after | ratio before / after | ms before / after |`,
      );
      console.log(`|---|---|---|---|---|---|`);
      for (const { q, before, after } of results) {
        if (before.rows !== after.rows)
          throw new Error(`${q.label}: the scan returned ${before.rows} rows, the indexes ${after.rows}.`);
        console.log(
          `| ${q.label} | ${fmt(after.rows)} | ${fmt(before.requests)} / ${fmt(after.requests)} | ${fmt(before.read)} / ${fmt(after.read)} | ${ratio(before)} / ${ratio(after)} | ${fmt(before.ms)} / ${fmt(after.ms)} |`,
        );
      }
      console.log(
        `| latest state per job, first page of 100, every printer (job list) | ${firstPage.after.rows} | ${fmt(firstPage.before.requests)} / ${fmt(firstPage.after.requests)} | ` +
          `${fmt(firstPage.before.read)} / ${fmt(firstPage.after.read)} | ${ratio(firstPage.before)} / ${ratio(firstPage.after)} | ${fmt(firstPage.before.ms)} / ${fmt(firstPage.after.ms)} |`,
      );
      const missed = results.filter(({ q, after }) => q.goal && after.rows > 0 && after.read > 2 * after.rows);
      console.log(
        `\ngoal (rows read <= 2x rows returned for every question naming a person, a day range or a state): ${missed.length === 0 ? "OK" : `MISSED for ${missed.map((m) => m.q.label).join("; ")}`}`,
      );
      console.log(
        "before = the old scan path (no index-complete marker: the same filter over the Jobs table as before the indexes); after = the indexes",
      );
    } finally {
      await proxy.stop();
    }
    await yearOfSummaries(rig);
  } finally {
    await rig.stop();
  }
}

/** A year of daily summaries through the route, read three times: what each read costs in Table requests. */
async function yearOfSummaries(rig: Rig): Promise<void> {
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const last = start + (days - 1) * dayMs;
  const [from, to] = [day(last - 364 * dayMs), day(last)];
  const tables = rig.azurite!.tables;
  console.log("");
  for (const label of ["first", "second", "third"]) {
    tables.takeCounts();
    const began = performance.now();
    const response = await fetch(`${rig.api}/audit/summaries?from=${from}&to=${to}`);
    const body = (await response.json()) as { jobs?: number };
    const counts = tables.takeCounts();
    console.log(
      `a year of summaries (${from} to ${to}, ${days} days with jobs), ${label} read: ${response.status}, ${body.jobs} jobs, ` +
        `${counts.requests} Table requests (${counts.query} queries returning ${counts.rowsReturned} rows, ` +
        `${counts.insert + counts.upsertOrMerge + counts.batch} writes), ${Math.round(performance.now() - began)} ms`,
    );
  }
}
