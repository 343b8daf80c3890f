/**
 * The audit's store over Azure Table Storage: four tables (see keys.ts for their keys), written only
 * through entity-group transactions of one partition (at most 100 rows and well under 4 MiB each).
 * History rows are written with "create", so a replay never changes a row already recorded; the current
 * state is replaced. Tables are created on first use.
 */
import {
  odata,
  TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from "@azure/data-tables";
import { type TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import { auditTableNames, isValidKey, prefixEnd, type AuditTableNames } from "./keys";
import { entityBytes, fitEntity } from "./snapshot";
import { CurrentStateConflictError } from "../errors";

export type Row = TableEntity<Record<string, unknown>>;
export type StoredRow = TableEntityResult<Record<string, unknown>>;

export interface TableFactory {
  (tableName: string): TableClient;
}

/** An entity-group transaction holds at most 100 operations and 4 MiB; keep a margin for the multipart framing. */
export const maxTransactionRows = 100;
export const maxTransactionBytes = 3 * 1024 * 1024;
/** Table queries allow at most 15 comparisons in a filter: one for the partition, 14 for row keys. */
const rowKeysPerQuery = 14;

/** The tracking columns change detection reads from a current-state row. */
export interface CurrentTracking {
  jobId: string;
  fingerprint: string;
  jobFingerprint: string;
  tasksFingerprint: string;
  sequence: number;
  keyTime: string;
  terminal: boolean;
  /** The row's etag: the current state is only replaced if nobody changed it since it was read. */
  etag: string;
}

export interface WriteCounts {
  rows: number;
  transactions: number;
  /** Rows that were already recorded (a replay after a crash, or an overlapping run): left as they were. */
  existing?: Row[];
}

export class AuditStore {
  readonly tables: AuditTableNames;
  private readonly clients = new Map<string, TableClient>();
  private readonly created = new Map<string, Promise<void>>();

  constructor(
    tablePrefix: string,
    private readonly tableClient: TableFactory,
  ) {
    this.tables = auditTableNames(tablePrefix);
  }

  /** A client for one of the audit tables; the table is created on first use. */
  async table(name: string): Promise<TableClient> {
    let client = this.clients.get(name);
    if (!client) {
      client = this.tableClient(name);
      this.clients.set(name, client);
    }
    let ready = this.created.get(name);
    if (!ready) {
      const creating = client.createTable();
      ready = creating.then(() => undefined);
      this.created.set(name, ready);
      ready.catch(() => this.created.delete(name));
    }
    await ready;
    return client;
  }

  /**
   * Writes history rows through transactions grouped by partition, with "create": a row recorded before
   * (a replay after a crash) is left as it was, never duplicated or overwritten.
   */
  async createRows(tableName: string, rows: readonly Row[]): Promise<WriteCounts> {
    const counts: WriteCounts = { rows: 0, transactions: 0 };
    if (rows.length === 0) return counts;
    const client = await this.table(tableName);
    // Partitions are independent transactions: up to 32 at once (index rows spread over many partitions).
    const partitions = [...byPartition(tableName, rows).values()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < partitions.length) {
        for (const chunk of transactionChunks(partitions[next++]!)) {
          counts.transactions++;
          counts.rows += await this.createChunk(client, chunk, (row) => (counts.existing ??= []).push(row));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, partitions.length) }, worker));
    return counts;
  }

  private async createChunk(client: TableClient, chunk: Row[], onExisting: (row: Row) => void): Promise<number> {
    try {
      await client.submitTransaction(chunk.map((row): TransactionAction => ["create", row]));
      return chunk.length;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    // Some rows were recorded before (a replay after a crash): write the missing ones, one by one.
    let written = 0;
    for (const row of chunk) {
      try {
        await client.createEntity(row);
        written++;
      } catch (error) {
        if (!isConflict(error)) throw error;
        onExisting(row);
      }
    }
    return written;
  }

  /**
   * Moves the current state: a new job's row is created, a known job's row replaced only if its etag is
   * still the one read (optimistic concurrency), so two runs of one printer at once never move a job's
   * state backwards; the loser throws CurrentStateConflictError and its message is retried.
   */
  async writeCurrent(rows: readonly { row: Row; etag?: string }[]): Promise<WriteCounts> {
    const counts: WriteCounts = { rows: 0, transactions: 0 };
    if (rows.length === 0) return counts;
    const client = await this.table(this.tables.current);
    const etags = new Map(rows.map(({ row, etag }) => [`${row.partitionKey}\n${row.rowKey}`, etag]));
    for (const partition of byPartition(
      this.tables.current,
      rows.map((r) => r.row),
    ).values()) {
      for (const chunk of transactionChunks(partition)) {
        const actions: TransactionAction[] = chunk.map((row) => {
          const etag = etags.get(`${row.partitionKey}\n${row.rowKey}`);
          return etag ? ["update", row, "Replace", { etag }] : ["create", row];
        });
        try {
          await client.submitTransaction(actions);
        } catch (error) {
          if (isRestError(error) && (error.statusCode === 409 || error.statusCode === 412)) {
            throw new CurrentStateConflictError(
              `The current state of printer ${chunk[0]!.partitionKey} changed while this run recorded it (another run of the same printer?); the message is retried.`,
            );
          }
          throw error;
        }
        counts.transactions++;
        counts.rows += chunk.length;
      }
    }
    return counts;
  }

  /**
   * The current-state tracking of some jobs of one printer (a page of Graph's list), by job key. Graph's
   * job ids are increasing numbers, so a page's keys usually sit close together: one RowKey range query
   * (read up to 4x the page) finds them all. Keys the range could not settle are looked up 14 to a query
   * (the filter limit is 15 comparisons). Memory stays bounded by the page either way.
   */
  async currentTracking(printerId: string, jobKeys: readonly string[]): Promise<Map<string, CurrentTracking>> {
    const client = await this.table(this.tables.current);
    const select = [
      "RowKey",
      "JobId",
      "Fingerprint",
      "JobFingerprint",
      "TasksFingerprint",
      "Sequence",
      "KeyTime",
      "Terminal",
    ];
    const wanted = new Set(jobKeys);
    const found = new Map<string, CurrentTracking>();
    const keep = (e: Record<string, unknown>): void => {
      const key = String(e.rowKey);
      if (!wanted.has(key)) return;
      found.set(key, {
        jobId: String(e.JobId ?? key),
        fingerprint: String(e.Fingerprint ?? ""),
        jobFingerprint: String(e.JobFingerprint ?? ""),
        tasksFingerprint: String(e.TasksFingerprint ?? ""),
        sequence: Number(e.Sequence ?? 0),
        keyTime: String(e.KeyTime ?? ""),
        terminal: e.Terminal === true,
        etag: String(e.etag ?? ""),
      });
    };
    let unsettled = [...wanted];
    if (wanted.size > rowKeysPerQuery) {
      const sorted = [...wanted].sort();
      const cap = Math.max(100, wanted.size * 4);
      const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${sorted[0]!} and RowKey le ${sorted[sorted.length - 1]!}`;
      let read = 0;
      let lastKey = "";
      let complete = false;
      for await (const page of client
        .listEntities({ queryOptions: { filter, select } })
        .byPage({ maxPageSize: Math.min(1000, cap) })) {
        for (const e of page) {
          keep(e);
          lastKey = String(e.rowKey);
          read++;
        }
        if (!page.continuationToken) {
          complete = true;
          break;
        }
        if (read >= cap) break;
      }
      unsettled = complete ? [] : sorted.filter((k) => k > lastKey);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < unsettled.length; i += rowKeysPerQuery) chunks.push(unsettled.slice(i, i + rowKeysPerQuery));
    await Promise.all(
      chunks.map(async (keys) => {
        const rowFilter = keys.map((k) => odata`RowKey eq ${k}`).join(" or ");
        const filter = `${odata`PartitionKey eq ${printerId}`} and (${rowFilter})`;
        for await (const e of client.listEntities({ queryOptions: { filter, select } })) keep(e);
      }),
    );
    return found;
  }

  /** Every row of one table whose RowKey starts with a prefix, in one partition, in key order. */
  async rowsWithPrefix(
    tableName: string,
    partitionKey: string,
    prefix: string,
    select?: string[],
  ): Promise<StoredRow[]> {
    const client = await this.table(tableName);
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
    const rows: StoredRow[] = [];
    for await (const e of client.listEntities({ queryOptions: { filter, select } })) rows.push(e);
    return rows;
  }

  async getRow(tableName: string, partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    const client = await this.table(tableName);
    try {
      return await client.getEntity(partitionKey, rowKey);
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Every row a filter selects (at most `max`), with the columns asked for. */
  async rowsWhere(tableName: string, filter: string, select?: string[], max = Infinity): Promise<StoredRow[]> {
    const client = await this.table(tableName);
    const rows: StoredRow[] = [];
    for await (const page of client
      .listEntities({ queryOptions: { filter, select } })
      .byPage({ maxPageSize: Math.min(1000, max) })) {
      for (const e of page) {
        rows.push(e);
        if (rows.length >= max) return rows;
      }
    }
    return rows;
  }

  /** Merges columns into one row (creating it if missing): run records. */
  async mergeRow(tableName: string, row: Row): Promise<void> {
    const client = await this.table(tableName);
    await client.upsertEntity(fitEntity(row), "Merge");
  }

  /** One page of a filtered query, for the read API. */
  async queryPage(
    tableName: string,
    filter: string | undefined,
    maxPageSize: number,
    continuationToken?: string,
  ): Promise<{ rows: StoredRow[]; continuationToken?: string }> {
    const client = await this.table(tableName);
    const pages = client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize, continuationToken });
    const first = await pages.next();
    if (first.done) return { rows: [] };
    const page = first.value;
    return { rows: [...page], continuationToken: page.continuationToken };
  }

  /** Deletes every row a filter selects, page by page, in transactions; reports progress after each page. */
  async deleteWhere(
    tableName: string,
    filter: string,
    options: { onProgress?: (deleted: number) => void; shouldStop?: () => boolean } = {},
  ): Promise<{ deleted: number; stopped: boolean }> {
    const client = await this.table(tableName);
    let deleted = 0;
    for await (const page of client
      .listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })
      .byPage({ maxPageSize: 1000 })) {
      const byPartition = new Map<string, string[]>();
      for (const e of page) {
        const list = byPartition.get(e.partitionKey!) ?? [];
        list.push(e.rowKey!);
        byPartition.set(e.partitionKey!, list);
      }
      for (const [partitionKey, rowKeys] of byPartition) {
        for (let i = 0; i < rowKeys.length; i += maxTransactionRows) {
          const chunk = rowKeys.slice(i, i + maxTransactionRows);
          await client.submitTransaction(
            chunk.map((rowKey) => ["delete", { partitionKey, rowKey }] as TransactionAction),
          );
          deleted += chunk.length;
        }
      }
      options.onProgress?.(deleted);
      if (options.shouldStop?.()) return { deleted, stopped: true };
    }
    return { deleted, stopped: false };
  }
}

/** Rows by partition, fitted to Table limits; a row with a key Table Storage forbids is refused. */
function byPartition(tableName: string, rows: readonly Row[]): Map<string, Row[]> {
  const partitions = new Map<string, Row[]>();
  for (const row of rows) {
    if (!isValidKey(row.partitionKey) || !isValidKey(row.rowKey)) {
      throw new Error(
        `Refusing a row with an invalid key in ${tableName} (partition ${JSON.stringify(row.partitionKey.slice(0, 60))}).`,
      );
    }
    const list = partitions.get(row.partitionKey) ?? [];
    list.push(fitEntity(row));
    partitions.set(row.partitionKey, list);
  }
  return partitions;
}

function isConflict(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 409 || error.code === "EntityAlreadyExists");
}

/** Splits one partition's rows into transactions of at most 100 rows and about 3 MiB. */
export function transactionChunks(rows: readonly Row[]): Row[][] {
  const chunks: Row[][] = [];
  let current: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    // The wire format is JSON in UTF-8: at most 3 bytes per UTF-16 unit, plus framing per operation.
    const size = Math.ceil(entityBytes(row) * 1.5) + 1024;
    if (current.length > 0 && (current.length >= maxTransactionRows || bytes + size > maxTransactionBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A data-tables continuation token as the SDK encodes it (base64 JSON with the next keys), or undefined if it is not one. */
export function isContinuationToken(token: string): boolean {
  if (token.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) return false;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as {
      nextPartitionKey?: unknown;
      nextRowKey?: unknown;
    };
    return (
      typeof parsed.nextPartitionKey === "string" &&
      (parsed.nextRowKey === undefined || typeof parsed.nextRowKey === "string")
    );
  } catch {
    return false;
  }
}

/** Builds TableClients from the storage settings: a connection string (Azurite or keys) or identity-based service URIs. */
export function tableClientFactory(
  storage: { kind: "connectionString"; connectionString: string } | { kind: "identity"; tableServiceUri: string },
  credential: () => TokenCredential,
): TableFactory {
  return (tableName) => {
    if (storage.kind === "connectionString") {
      const insecure = /UseDevelopmentStorage=true|=http:\/\//i.test(storage.connectionString);
      return TableClient.fromConnectionString(storage.connectionString, tableName, {
        allowInsecureConnection: insecure,
      });
    }
    return new TableClient(storage.tableServiceUri, tableName, credential());
  };
}
