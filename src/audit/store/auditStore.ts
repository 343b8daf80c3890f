/**
 * The audit's store over Azure Table Storage, and the only code that holds a TableClient: the audit tables
 * (see keys.ts for their keys), each created on first use. The rest of the audit asks it for what it means
 * (create history rows, move the current state, merge a marker, replace a row under its etag, delete a range)
 * and every one of those writes is committed by one step (commit.ts), fitted to Table limits with its keys
 * checked. History rows are written with "create", so a replay never changes a row already recorded.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { auditTableNames, prefixEnd, type AuditTableNames } from "../keys";
import { commitWrites, type CommitWatcher } from "./commit";
import { readCurrentTracking, type CurrentTracking } from "./currentTracking";
import { type Commit, type Row, type RowPage, type RowWrite, type StoredRow } from "./rows";
import { getEntityIfAny, isNotFound, isWriteConflict } from "./tableCalls";
import { type TableClientFactory } from "./tableClients";
import {
  createRowsInTransactions,
  deleteRowsOfPages,
  replaceCurrentRows,
  replaceRowsInTransactions,
  transactionChunks,
  type WriteCounts,
} from "./transactions";

export class AuditStore {
  readonly tables: AuditTableNames;
  private readonly clients = new Map<string, TableClient>();
  private readonly created = new Map<string, Promise<void>>();

  constructor(
    tablePrefix: string,
    private readonly createTableClient: TableClientFactory,
  ) {
    this.tables = auditTableNames(tablePrefix);
  }

  /** The client of one of the audit tables; the table is created on first use. Never handed out. */
  private async client(name: string): Promise<TableClient> {
    let client = this.clients.get(name);
    if (!client) {
      client = this.createTableClient(name);
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

  /** Every write of the store goes through here (see commit.ts); a watcher is told of what each commit carried out. */
  private committer(tableName: string, watcher?: CommitWatcher): Commit {
    return async (write) => commitWrites(await this.client(tableName), tableName, write, watcher);
  }

  /** One conditional write; false when another writer got there first (the row exists, changed or went). */
  private async attempt(tableName: string, write: RowWrite): Promise<boolean> {
    try {
      await this.committer(tableName)(write);
      return true;
    } catch (error) {
      if (isWriteConflict(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  // ---- writing ---------------------------------------------------------------------------------------------

  /**
   * Writes history rows through transactions grouped by partition, with "create": a row recorded before
   * (a replay after a crash) is left as it was, never duplicated or overwritten.
   */
  async createRows(
    tableName: string,
    rows: readonly Row[],
    options: { created?: (rows: Row[]) => void } = {},
  ): Promise<WriteCounts> {
    if (rows.length === 0) return { rows: 0, transactions: 0 };
    const { created } = options;
    // The rows this call created, as committed: what the tamper evidence digests (never a row another writer created).
    const watcher: CommitWatcher | undefined = created
      ? (writes) => created(writes.flatMap((w) => (w.op === "create" ? [w.row] : [])))
      : undefined;
    return createRowsInTransactions(this.committer(tableName, watcher), tableName, rows);
  }

  /**
   * Moves the current state: a new job's row is created, a known job's row replaced only if its etag is
   * still the one read (optimistic concurrency), so two runs of one printer at once never move a job's
   * state backwards; the loser throws CurrentStateConflictError and its message is retried.
   */
  async writeCurrent(rows: readonly { row: Row; etag?: string }[]): Promise<WriteCounts> {
    if (rows.length === 0) return { rows: 0, transactions: 0 };
    return replaceCurrentRows(this.committer(this.tables.current), this.tables.current, rows);
  }

  /** Replaces rows of one table under the etags they were read with, in transactions (a rewrite of recorded rows). */
  async replaceRows(tableName: string, rows: readonly { row: Row; etag: string }[]): Promise<void> {
    if (rows.length > 0) await replaceRowsInTransactions(this.committer(tableName), tableName, rows);
  }

  /** Merges columns into one row, creating it if missing: run records, markers, lists. */
  async mergeRow(tableName: string, row: Row): Promise<void> {
    await this.committer(tableName)({ op: "merge", row });
  }

  /**
   * Merges columns into many rows, creating those missing: one transaction per partition (at most 100 rows),
   * so rows of one partition change together, in the order given.
   */
  async mergeRows(tableName: string, rows: readonly Row[]): Promise<void> {
    const partitions = new Map<string, Row[]>();
    for (const row of rows) partitions.set(row.partitionKey, [...(partitions.get(row.partitionKey) ?? []), row]);
    for (const partition of partitions.values())
      for (const chunk of transactionChunks(partition))
        await this.committer(tableName)(chunk.map((row): RowWrite => ({ op: "merge", row })));
  }

  /** Writes one row whole, whatever was there: a row derived again from its source. */
  async putRow(tableName: string, row: Row): Promise<void> {
    await this.committer(tableName)({ op: "put", row });
  }

  /** Creates one row unless it exists; false when it does. */
  async createRow(tableName: string, row: Row): Promise<boolean> {
    return this.attempt(tableName, { op: "create", row });
  }

  /** Replaces one row if its etag is still the one read; false when it changed or went meanwhile. */
  async replaceRow(tableName: string, row: Row, etag: string): Promise<boolean> {
    return this.attempt(tableName, { op: "replace", row, etag });
  }

  /** Deletes one row (only if unchanged, given the etag read); false when it was already gone or changed. */
  async deleteRow(tableName: string, key: { partitionKey: string; rowKey: string }, etag?: string): Promise<boolean> {
    const { partitionKey, rowKey } = key;
    return this.attempt(tableName, { op: "delete", key: { partitionKey, rowKey }, ...(etag ? { etag } : {}) });
  }

  /** Deletes every row a filter selects, page by page, in transactions; reports progress after each page. */
  async deleteWhere(
    tableName: string,
    filter: string,
    options: { onProgress?: (deleted: number) => void; shouldStop?: () => boolean } = {},
  ): Promise<{ deleted: number; stopped: boolean }> {
    const pages = this.pages(tableName, { filter, select: ["PartitionKey", "RowKey"], maxPageSize: 1000 });
    return deleteRowsOfPages(this.committer(tableName), pages, options);
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** The current-state tracking of some jobs of one printer (a page of Graph's list), by job key. */
  async currentTracking(printerId: string, jobKeys: readonly string[]): Promise<Map<string, CurrentTracking>> {
    return readCurrentTracking(await this.client(this.tables.current), printerId, jobKeys);
  }

  /** Every row of one table whose RowKey starts with a prefix, in one partition, in key order. */
  async rowsWithPrefix(
    tableName: string,
    partitionKey: string,
    prefix: string,
    select?: string[],
  ): Promise<StoredRow[]> {
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
    const rows: StoredRow[] = [];
    for await (const e of this.scan(tableName, filter, select)) rows.push(e);
    return rows;
  }

  async getRow(tableName: string, partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    return getEntityIfAny(await this.client(tableName), partitionKey, rowKey);
  }

  /** Every row a filter selects (at most `max`), with the columns asked for. */
  async rowsWhere(tableName: string, filter: string, select?: string[], max = Infinity): Promise<StoredRow[]> {
    const rows: StoredRow[] = [];
    for await (const page of this.pages(tableName, { filter, select, maxPageSize: Math.min(1000, max) })) {
      for (const e of page.rows) {
        rows.push(e);
        if (rows.length >= max) return rows;
      }
    }
    return rows;
  }

  /** The rows a filter selects, read a page at a time as the caller goes on (a caller that stops reads no further). */
  async *scan(tableName: string, filter?: string, select?: string[]): AsyncGenerator<StoredRow> {
    const client = await this.client(tableName);
    yield* client.listEntities({ queryOptions: { filter, select } });
  }

  /** The pages of a filtered query as the service cuts them (at most maxPageSize rows each). */
  async *pages(
    tableName: string,
    query: { filter?: string; select?: string[]; maxPageSize: number },
  ): AsyncGenerator<RowPage> {
    const client = await this.client(tableName);
    const { filter, select, maxPageSize } = query;
    for await (const page of client.listEntities({ queryOptions: { filter, select } }).byPage({ maxPageSize }))
      yield { rows: [...page], ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
  }

  /** One page of a filtered query, for the read API. */
  async queryPage(
    tableName: string,
    filter: string | undefined,
    maxPageSize: number,
    continuationToken?: string,
  ): Promise<{ rows: StoredRow[]; continuationToken?: string }> {
    const client = await this.client(tableName);
    const pages = client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize, continuationToken });
    const first = await pages.next();
    if (first.done) return { rows: [] };
    const page = first.value;
    return { rows: [...page], continuationToken: page.continuationToken };
  }
}
