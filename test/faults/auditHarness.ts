/**
 * The audit under faults, each queue delivery in a child process: a warm worker (auditLane.ts), or a process of
 * its own (auditProcess.ts). Azurite, the identity endpoint and the Graph simulator run here; the child reaches
 * Graph and Tables through counting proxies, so a suite can kill it at its Nth call, stop storage under it, or
 * break Graph, and then compare the tables with those of a clean run.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { type IncomingMessage } from "node:http";
import { join } from "node:path";
import { newRunId } from "../../src/audit/keys";
import { TableClient } from "@azure/data-tables";
import { devAccountName } from "../../sandbox/azurite";
import { StrictAzurite } from "../rig/strictTables";
import { CountingProxy, RequestCounter, type ProxyAction } from "../rig/countingProxy";
import { ManagedIdentityEndpoint } from "../../sandbox/identityEndpoint";
import { fastRetrySettings } from "../rig/rig";
import { UniversalPrintSimulator } from "../../sandbox/graph/simulator";
import { type DeliveryReport } from "./auditDelivery";
import { AuditLanes } from "./auditLanes";

export interface AuditWorld {
  azurite: StrictAzurite;
  identity: ManagedIdentityEndpoint;
  sim: UniversalPrintSimulator;
  /** Warm workers for the deliveries (auditLanes.ts); a crash kills the worker it lands on. */
  lanes: AuditLanes;
  stop(): Promise<void>;
}

export async function startAuditWorld(
  options: { location?: string; pageSize?: number; lanesFromFiles?: boolean } = {},
): Promise<AuditWorld> {
  // Its own emulator, not an account of the run's (sharedAzurite.ts): the suites here stop storage under the app, and
  // the crash suites tell storage's calls from Graph's by the development account's path.
  const azurite = await new StrictAzurite({ location: options.location, own: true }).start();
  const identity = await new ManagedIdentityEndpoint().start();
  const sim = await new UniversalPrintSimulator({ pageSize: options.pageSize ?? 10 }).start();
  const lanes = new AuditLanes({ fromFiles: options.lanesFromFiles });
  return {
    azurite,
    identity,
    sim,
    lanes,
    async stop() {
      await lanes.stop();
      await sim.stop();
      await identity.stop();
      await azurite.stop();
    },
  };
}

/** What a delivery reports of itself (its `AUDIT_PROCESS` line). */
export type AuditProcessReport = DeliveryReport;

export interface AuditProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Calls the process made to Graph and Tables (through the proxies). */
  calls: number;
  /** Of them, the calls crashCounts accepted. */
  counted: number;
  report?: AuditProcessReport;
  killedAt?: number;
  output: string;
  /** Every call the delivery made, in the order the proxies numbered them, with the service's answer. */
  log: CallRecord[];
}

export interface AuditProcessOptions {
  prefix: string;
  runId: string;
  printerId: string;
  dequeueCount?: number;
  /** Per call number: forward, or kill the process before / after the call reaches the service. */
  crashAt?: { call: number; when: "before" | "after" };
  /** Any other reaction to a call (e.g. stop storage); runs before the crash decision. */
  onCall?: (n: number) => void | Promise<void>;
  env?: Record<string, string>;
  /** Node options for the child, e.g. ["--expose-gc"]. */
  execArgv?: string[];
  /** Blob calls (the evidence anchor) go through the counting proxy too, numbered with the others. */
  proxyBlob?: boolean;
  /** When given, crashAt.call counts only the calls this accepts (e.g. writes), not every call. */
  crashCounts?: (req: IncomingMessage, body: Buffer) => boolean;
}

/** Everything every audit process wrote (stdout and stderr), for suites that search it for secrets. */
export const auditProcessOutputs: string[] = [];

/**
 * Runs one delivery of {runId, printerId} on a warm worker (auditLanes.ts), or in a process of its own when it
 * needs Node options or the SDKs' logging; resolves when it ends or is killed.
 */
export async function runAuditProcess(world: AuditWorld, options: AuditProcessOptions): Promise<AuditProcessResult> {
  const counter = new RequestCounter();
  const graphProxy = await new CountingProxy(world.sim.baseUrl.replace(/\/v1\.0$/, ""), counter, {
    rewriteLinks: true,
  }).start();
  const tableProxy = await new CountingProxy(world.azurite.tableOrigin, counter).start();
  const blobProxy = options.proxyBlob
    ? await new CountingProxy(`http://127.0.0.1:${world.azurite.blobPort}`, counter).start()
    : undefined;
  const connectionString = world.azurite.connectionStringVia({ blob: blobProxy?.origin, table: tableProxy.origin });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ...world.identity.env(),
    GRAPH_BASE_URL: `${graphProxy.origin}/v1.0`,
    AzureWebJobsStorage: connectionString,
    ...fastRetrySettings,
    AUDIT_TABLE_PREFIX: options.prefix,
    AUDIT_MESSAGE: JSON.stringify({ runId: options.runId, printerId: options.printerId }),
    AUDIT_DEQUEUE_COUNT: String(options.dequeueCount ?? 1),
    ...options.env,
  };
  // Deliveries run on warm workers (auditLanes.ts), killed for real when the suite crashes them; those that need Node
  // options or the SDKs' own logging (which reads its level once, as it loads) get a process of their own.
  const warm = !options.execArgv && !env.AZURE_LOG_LEVEL;
  let killedAt: number | undefined;
  let counted = 0;
  let kill = (): void => undefined;
  const log: CallRecord[] = [];
  const byNumber = new Map<number, CallRecord>();
  counter.answered = (n, _req, status) => {
    const call = byNumber.get(n);
    if (call) call.status = status;
  };
  counter.decide = async (n, req, body): Promise<ProxyAction> => {
    await options.onCall?.(n);
    const k = options.crashCounts ? (options.crashCounts(req, body) ? ++counted : -1) : n;
    const call: CallRecord = { n, write: isStorageWrite(req), counted: k > 0 ? k : undefined };
    log.push(call);
    byNumber.set(n, call);
    if (options.crashAt?.call === k) {
      killedAt = k;
      // Nothing after the kill reaches a service: a call already on its way from the killed worker is dropped too, so
      // a kill "after" call k leaves exactly the calls up to k carried out.
      counter.stopped = true;
      kill();
      return options.crashAt.when === "before" ? "dropBefore" : "dropAfter";
    }
    return "forward";
  };
  let exitCode: number | null;
  let signal: NodeJS.Signals | null = null;
  let output = "";
  if (warm) ({ exitCode, signal, output } = await world.lanes.deliver(env, (k) => (kill = k)));
  else {
    const child = spawn(process.execPath, [...(options.execArgv ?? []), join(__dirname, "auditProcess.js")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    kill = () => child.kill("SIGKILL");
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once("exit", (code, sig) => resolve([code, sig])),
    );
  }
  counter.stopped = true;
  auditProcessOutputs.push(output);
  await graphProxy.stop();
  await tableProxy.stop();
  await blobProxy?.stop();
  const line = /^AUDIT_PROCESS (.*)$/m.exec(output);
  return {
    exitCode,
    signal,
    calls: counter.count,
    counted,
    report: line ? (JSON.parse(line[1]!) as AuditProcessReport) : undefined,
    killedAt,
    output,
    log,
  };
}

/** A write to storage (Tables or Blobs): any call there but a read. Graph's POST $batch is a read, and not storage. */
function isStorageWrite(req: IncomingMessage): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && (req.url ?? "").startsWith(`/${devAccountName}/`);
}

export interface CallRecord {
  /** The proxies' number for the call. */
  n: number;
  /** A write to storage. */
  write: boolean;
  /** Its number among the calls the suite counts (`crashCounts`), when counted. */
  counted?: number;
  /** The service's answer, when it gave one. */
  status?: number;
}

export type TableName = "Jobs" | "Tasks" | "Current" | "Runs" | "Events" | "JobIndex" | "Summaries";

export function auditTable(world: AuditWorld, prefix: string, name: TableName): TableClient {
  return TableClient.fromConnectionString(world.azurite.connectionString, `${prefix}${name}`, {
    allowInsecureConnection: true,
  });
}

/** Every row of a table ([] when it does not exist). */
export async function readTable(world: AuditWorld, prefix: string, name: TableName): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  try {
    for await (const e of auditTable(world, prefix, name).listEntities()) out.push(e);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return out;
}

/** The recorded audit (Jobs, Tasks, Current, and the Events and JobIndex rows derived from the history) as comparable lines, without what differs between two runs (observation time, etag). */
export async function auditContents(
  world: AuditWorld,
  prefix: string,
  options: { ignoreRunId?: boolean } = {},
): Promise<Record<"Jobs" | "Tasks" | "Current" | "Events" | "JobIndex", string[]>> {
  const normalize = (row: Record<string, any>): string => {
    const { etag: _etag, timestamp: _timestamp, ObservedDateTime: _observed, ...rest } = row;
    // Rows recorded by a later run (after a failed one) carry that run's id.
    if (options.ignoreRunId) delete rest.RunId;
    return JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
  };
  const out = {} as Record<"Jobs" | "Tasks" | "Current" | "Events" | "JobIndex", string[]>;
  const jobs = await readTable(world, prefix, "Jobs");
  for (const name of ["Jobs", "Tasks", "Current", "JobIndex"] as const)
    out[name] = (name === "Jobs" ? jobs : await readTable(world, prefix, name)).map(normalize).sort();
  // An event's keys hold its observation time, which differs between runs: compare it with its history row's instead.
  const observed = new Map(jobs.map((j) => [`${j.partitionKey}|${j.rowKey}`, String(j.ObservedDateTime)]));
  out.Events = (await readTable(world, prefix, "Events"))
    .map((e) => {
      const [time, printer, ...historyKey] = String(e.rowKey).split("|");
      const recorded = observed.get(`${printer}|${historyKey.join("|")}`);
      const asRecorded = recorded !== undefined && new Date(recorded).toISOString().replace(/[-:.]/g, "") === time;
      return normalize({
        ...e,
        partitionKey: "events",
        rowKey: `${printer}|${historyKey.join("|")}`,
        ObservedAsRecorded: asRecorded,
      });
    })
    .sort();
  return out;
}

/** Rows of `expected` missing from `actual`, rows of `actual` not in `expected`, and duplicate keys. */
export function compareContents(
  expected: Record<string, string[]>,
  actual: Record<string, string[]>,
): { missing: number; extra: number; duplicates: number; detail: string[] } {
  let missing = 0;
  let extra = 0;
  let duplicates = 0;
  const detail: string[] = [];
  for (const name of Object.keys(expected)) {
    const want = new Set(expected[name]);
    const have = actual[name] ?? [];
    const haveSet = new Set(have);
    for (const row of want) {
      if (haveSet.has(row)) continue;
      missing++;
      detail.push(`${name} missing ${row.slice(0, 200)}`);
    }
    for (const row of haveSet) {
      if (want.has(row)) continue;
      extra++;
      detail.push(`${name} extra ${row.slice(0, 200)}`);
    }
    const keys = have.map((r) => {
      const parsed = JSON.parse(r) as { partitionKey: string; rowKey: string };
      return `${parsed.partitionKey}|${parsed.rowKey}`;
    });
    duplicates += keys.length - new Set(keys).size;
  }
  return { missing, extra, duplicates, detail: detail.slice(0, 10) };
}

export async function runRow(
  world: AuditWorld,
  prefix: string,
  runId: string,
  printerId: string,
): Promise<Record<string, any> | undefined> {
  try {
    return await auditTable(world, prefix, "Runs").getEntity(runId, printerId);
  } catch {
    return undefined;
  }
}

/** The run ids of a suite's first run and a later one: fixed, so a repeated run records rows equal to the reference's. */
export const firstRunId = newRunId(new Date(Date.UTC(2026, 10, 24, 6, 0, 0)));
export const laterRunId = newRunId(new Date(Date.UTC(2026, 10, 24, 6, 10, 0)));

/** Names for fresh table sets: `<name>1x<pid>`, `<name>2x<pid>`, ... (the pid keeps suites that run at once apart). */
export function tablePrefixes(name: string): () => string {
  let count = 0;
  return () => `${name}${++count}x${process.pid}`;
}

export type CrashPoint = NonNullable<AuditProcessOptions["crashAt"]>;

/** Where a suite kills the audit: just before and just after every `step`th of a run's `calls` calls, from the first. */
export function crashPoints(calls: number, step = 1): CrashPoint[] {
  return Array.from({ length: Math.ceil(calls / step) }, (_, i) => 1 + i * step).flatMap((call) => [
    { call, when: "before" as const },
    { call, when: "after" as const },
  ]);
}

/**
 * The crash points of a run that leave different tables, read from a clean run's calls (`log`), with how many
 * points there are in all (before and after every counted call). The proxies stop every call once the worker is
 * killed, and a killed worker keeps nothing; so a kill just after call k leaves what a kill just before the next
 * counted call leaves when no write came between them, and a write the service refused (a table that already
 * exists: 409) changed nothing, so kills before and after it leave the same tables. Of the points that leave the
 * same tables, the first is tried. The writes must be visible in the log (blob writes too: `proxyBlob`), or
 * they would count as changing nothing. The order is the clean run's: writes made side by side (a run's
 * transactions, a few at once) may reach the service in another order in a crashed run.
 */
export function distinctCrashPoints(
  log: readonly CallRecord[],
  /** Only these points (e.g. a sample), when given; `all` counts them. */
  among?: readonly CrashPoint[],
): { points: CrashPoint[]; all: number } {
  const points: CrashPoint[] = [];
  const seen = new Set<number>();
  const wanted = among && new Set(among.map((p) => `${p.call} ${p.when}`));
  let changes = 0;
  let all = 0;
  const tryOnce = (call: number, when: "before" | "after"): void => {
    if (wanted && !wanted.has(`${call} ${when}`)) return;
    all++;
    if (seen.has(changes)) return;
    seen.add(changes);
    points.push({ call, when });
  };
  for (const call of [...log].sort((a, b) => a.n - b.n)) {
    if (call.counted !== undefined) tryOnce(call.counted, "before");
    if (call.write && (call.status === undefined || call.status < 300)) changes++;
    if (call.counted !== undefined) tryOnce(call.counted, "after");
  }
  return { points, all };
}

/**
 * Tries each crash point, at most `parallel` at a time; resolves to one line per point where the audit did not
 * hold, naming the point (after `runLabel`, when given) and its problems.
 */
export async function failedCrashPoints(
  points: readonly CrashPoint[],
  parallel: number,
  tryPoint: (point: CrashPoint, index: number) => Promise<string[]>,
  runLabel?: string,
): Promise<string[]> {
  const failures: string[] = [];
  await inParallel(points, parallel, async (point, i) => {
    const problems = await tryPoint(point, i);
    const name = `${runLabel ? `${runLabel}, ` : ""}call ${point.call} ${point.when}`;
    if (problems.length) failures.push(`${name}: ${problems.join(" / ")}`);
  });
  return failures;
}

/** A clean run recorded into each table set (at most `parallel` at a time), as the scheduled runs would leave them. */
export async function recordCleanRuns(
  world: AuditWorld,
  prefixes: readonly string[],
  run: Omit<AuditProcessOptions, "prefix">,
  parallel: number,
): Promise<void> {
  await inParallel(prefixes, parallel, async (prefix) => {
    const clean = await runAuditProcess(world, { ...run, prefix });
    assert.equal(clean.exitCode, 0, clean.output);
  });
}

/** Runs `work` over items, at most `limit` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}
