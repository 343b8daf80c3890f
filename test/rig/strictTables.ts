/**
 * A loopback proxy in front of Azurite's Table endpoint that holds every request to the Table service's
 * documented limits (tableRules.ts), refuses what the service refuses with the service's own answer, cuts
 * pages as the service may, counts requests by kind and can add a round-trip delay. Every suite, the
 * fault harness and the benches reach Tables through it (StrictAzurite below), so what passes here is
 * what Azure would take. Set STRICT_TABLES_LOG to a file to append every refusal to it (one JSON line each),
 * STRICT_TABLES_SHORT_PAGES to a seed to cut pages short at random in every suite.
 */
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { Azurite, type AzuriteOptions } from "../../sandbox/azurite";
import { LoopbackServer } from "../../sandbox/loopbackServer";
import { claimSharedAccount } from "./sharedAzurite";
import {
  batchFailureBody,
  checkBatch,
  checkBatchSize,
  checkEntity,
  checkKey,
  checkQuery,
  errorBody,
  keysOfPath,
  parseBatch,
  type TableRefusal,
} from "./tableRules";

/** Requests by kind, as the service would bill and time them. */
export interface TableCounts {
  /** Every request that reached the proxy. */
  requests: number;
  query: number;
  pointRead: number;
  insert: number;
  /** Insert-or-replace, insert-or-merge, update, merge. */
  upsertOrMerge: number;
  delete: number;
  batch: number;
  /** Operations inside the batches. */
  batchOperations: number;
  /** Create, delete and list tables. */
  table: number;
  /** Entities returned by queries. */
  rowsReturned: number;
  refused: number;
}

export const noCounts = (): TableCounts => ({
  requests: 0,
  query: 0,
  pointRead: 0,
  insert: 0,
  upsertOrMerge: 0,
  delete: 0,
  batch: 0,
  batchOperations: 0,
  table: 0,
  rowsReturned: 0,
  refused: 0,
});

export interface StrictTablesOptions {
  /** Added before each request is forwarded: the round trip to the service (e.g. 5 ms in-region); may change between runs. */
  roundTripMs?: number;
  /**
   * A seed: then about one query page in three is cut short at random, and one in ten comes back empty with
   * a continuation, also in the middle of a partition, as the service may after 5 s of scanning [paging].
   */
  shortPagesSeed?: number;
}

export interface RefusalRecord extends TableRefusal {
  method: string;
  table: string;
}

/** A small deterministic generator (mulberry32), so a seed replays the same cuts. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "query" | "pointRead" | "insert" | "upsertOrMerge" | "delete" | "batch" | "table";

function kindOf(method: string, path: string): Kind {
  const last = path.split("/").pop() ?? "";
  if (last === "$batch") return "batch";
  if (/^Tables(\(|$)/.test(last)) return "table";
  const hasKeys = /\(.*PartitionKey=/.test(decodeURIComponent(last));
  if (method === "GET") return hasKeys ? "pointRead" : "query";
  if (method === "POST") return "insert";
  if (method === "DELETE") return "delete";
  return "upsertOrMerge";
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class StrictTables {
  private server: LoopbackServer | undefined;
  port = 0;
  counts: TableCounts = noCounts();
  readonly refusals: RefusalRecord[] = [];
  private random: (() => number) | undefined;

  constructor(
    /** Azurite's Table origin, e.g. http://127.0.0.1:10002 */
    public target: string,
    readonly options: StrictTablesOptions = {},
  ) {
    const seed =
      options.shortPagesSeed ??
      (process.env.STRICT_TABLES_SHORT_PAGES ? Number(process.env.STRICT_TABLES_SHORT_PAGES) : undefined);
    if (seed !== undefined && Number.isFinite(seed)) this.random = seededRandom(seed);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (again, on the same port once it had one). */
  async start(): Promise<this> {
    this.server = new LoopbackServer((req, res) => void this.handle(req, res));
    this.port = await this.server.listen(this.port);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** Returns the counts so far and starts counting afresh. */
  takeCounts(): TableCounts {
    const counts = this.counts;
    this.counts = noCounts();
    return counts;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://proxy");
    const method = req.method ?? "GET";
    const kind = kindOf(method, url.pathname);
    this.counts.requests++;
    this.counts[kind]++;
    if (this.options.roundTripMs) await new Promise((r) => setTimeout(r, this.options.roundTripMs));
    try {
      const refused = this.check(kind, method, url, body, res);
      if (refused) return;
      if (kind === "query") return await this.query(req, url, body, res);
      this.send(res, await this.forward(req, url, body));
    } catch {
      req.socket.destroy();
    }
  }

  /** Applies the rules to a request; true when it was refused (and answered). */
  private check(kind: Kind, method: string, url: URL, body: Buffer, res: ServerResponse): boolean {
    const { table, partitionKey, rowKey } = keysOfPath(url.pathname);
    const refuse = (refusal: TableRefusal): true => {
      this.record({ ...refusal, method, table });
      const requestId = randomUUID();
      res.writeHead(refusal.status, {
        "content-type": "application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
        "x-ms-error-code": refusal.code,
        "x-ms-request-id": requestId,
        "x-ms-version": "2019-02-02",
      });
      res.end(errorBody(refusal.code, refusal.message, requestId));
      return true;
    };
    if (kind === "query") {
      const refusal = checkQuery(url.searchParams.get("$filter"), url.searchParams.get("$top"));
      return refusal ? refuse(refusal) : false;
    }
    if (kind === "insert" || kind === "upsertOrMerge") {
      const entity = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
      const refusal = checkEntity(entity, { PartitionKey: partitionKey, RowKey: rowKey });
      return refusal ? refuse(refusal) : false;
    }
    if (kind === "delete") {
      const refusal = checkKey("PartitionKey", partitionKey) ?? checkKey("RowKey", rowKey);
      return refusal ? refuse(refusal) : false;
    }
    if (kind === "batch") return this.checkTransaction(method, body, res, refuse);
    return false;
  }

  private checkTransaction(
    method: string,
    body: Buffer,
    res: ServerResponse,
    refuse: (refusal: TableRefusal) => true,
  ): boolean {
    const sizeRefusal = checkBatchSize(body.length);
    if (sizeRefusal) return refuse(sizeRefusal);
    const operations = parseBatch(body.toString("utf8"));
    this.counts.batchOperations += operations.length;
    const failure = checkBatch(operations);
    if (!failure) return false;
    this.record({ ...failure.refusal, method, table: "$batch" });
    const requestId = randomUUID();
    const answer = batchFailureBody(failure.index, failure.refusal, requestId);
    res.writeHead(202, {
      "content-type": `multipart/mixed; boundary=${answer.boundary}`,
      "x-ms-request-id": requestId,
      "x-ms-version": "2019-02-02",
    });
    res.end(answer.body);
    return true;
  }

  private record(refusal: RefusalRecord): void {
    this.counts.refused++;
    this.refusals.push(refusal);
    if (process.env.STRICT_TABLES_LOG)
      appendFileSync(
        process.env.STRICT_TABLES_LOG,
        `${JSON.stringify({ ...refusal, at: new Date().toISOString() })}\n`,
      );
  }

  /** A query page: forwarded, or (with a seed) cut short or emptied with a continuation, as the service may. */
  private async query(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const roll = this.random?.() ?? 1;
    const asked = Math.min(Number(url.searchParams.get("$top") ?? 1000) || 1000, 1000);
    if (roll < 0.1) {
      // Empty page: find the next row, then answer no rows and a continuation that points at it.
      url.searchParams.set("$top", "1");
      const probe = await this.forward(req, url, body);
      const row = this.rowsOf(probe)[0];
      if (probe.status !== 200 || !row) return this.send(res, probe, true);
      const headers = { ...probe.headers };
      headers["x-ms-continuation-nextpartitionkey"] = Buffer.from(String(row.PartitionKey)).toString("base64");
      headers["x-ms-continuation-nextrowkey"] = Buffer.from(String(row.RowKey)).toString("base64");
      const empty = JSON.parse(probe.body.toString("utf8")) as Record<string, unknown>;
      empty.value = [];
      return this.send(res, { status: 200, headers, body: Buffer.from(JSON.stringify(empty)) }, true);
    }
    if (roll < 0.35 && asked > 1)
      url.searchParams.set("$top", String(1 + Math.floor((this.random?.() ?? 0) * (asked - 1))));
    this.send(res, await this.forward(req, url, body), true);
  }

  private rowsOf(answer: Answer): Record<string, unknown>[] {
    try {
      const parsed = JSON.parse(answer.body.toString("utf8")) as { value?: Record<string, unknown>[] };
      return parsed.value ?? [];
    } catch {
      return [];
    }
  }

  private send(res: ServerResponse, answer: Answer, countRows = false): void {
    if (countRows && answer.status === 200) this.counts.rowsReturned += this.rowsOf(answer).length;
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  private forward(req: IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
    const target = new URL(this.target);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: Number(target.port),
          method: req.method,
          path: `${url.pathname}${url.search}`,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          const out: Buffer[] = [];
          answer.on("data", (c: Buffer) => out.push(c));
          answer.on("end", () =>
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(out) }),
          );
          answer.on("error", reject);
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }
}

/**
 * Azurite whose Table endpoint is held to the service's limits: `connectionString` (what the app and the
 * suites use) reaches Tables through the strict proxy; `tables` has its counts and refusals.
 */
export class StrictAzurite extends Azurite {
  readonly tables: StrictTables;
  /** An account of the run's Azurite (sharedAzurite.ts), not an emulator of its own. */
  private shared = false;

  constructor(
    options: AzuriteOptions & {
      strict?: StrictTablesOptions;
      /** An emulator of its own even when the run has one to share: to stop storage under the app, say. */
      own?: boolean;
    } = {},
  ) {
    super(options);
    this.tables = new StrictTables("http://127.0.0.1:0", options.strict);
    const own = options.own || options.location || options.blobPort || options.queuePort || options.tablePort;
    const account = own ? undefined : claimSharedAccount();
    if (account) {
      ({ blobPort: this.blobPort, queuePort: this.queuePort, tablePort: this.tablePort } = account);
      this.accountName = account.accountName;
      this.shared = true;
    }
  }

  /** The Table endpoint's origin as the app sees it (the proxy's). */
  get tableOrigin(): string {
    return this.tables.origin;
  }

  override get connectionString(): string {
    return this.connectionStringVia({ table: this.tables.origin });
  }

  /** Azurite's own connection string, past the strict layer (to set up data a test needs, uncounted). */
  get directConnectionString(): string {
    return super.connectionString;
  }

  override async start(): Promise<this> {
    if (!this.shared) await super.start();
    this.tables.target = `http://127.0.0.1:${this.tablePort}`;
    // A restart (after a storage outage) listens again on the proxy's port, so the app's settings still hold.
    await this.tables.start();
    return this;
  }

  override async stop(options: { graceful?: boolean } = {}): Promise<void> {
    if (!this.shared) await super.stop(options);
    await this.tables.stop();
  }
}
