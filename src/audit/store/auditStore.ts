/**
 * The audit's store over Azure Table Storage: the audit tables (see keys.ts for their keys), each created on
 * first use, written only through entity-group transactions of one partition (transactions.ts). History rows
 * are written with "create", so a replay never changes a row already recorded; the current state is replaced.
 */
import { odata, type TableClient, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import { auditTableNames, prefixEnd, type AuditTableNames } from "../keys";
import { fitEntity } from "./sizes";
import { readCurrentTracking, type CurrentTracking } from "./currentTracking";
import { getEntityIfAny } from "./tableCalls";
import { type TableClientFactory } from "./tableClients";
import { createRowsInTransactions, deleteRowsWhere, replaceCurrentRows, type WriteCounts } from "./transactions";

export type Row = TableEntity<Record<string, unknown>>;
export type StoredRow = TableEntityResult<Record<string, unknown>>;

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

  /** A client for one of the audit tables; the table is created on first use. */
  async table(name: string): Promise<TableClient> {
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

  /**
   * Writes history rows through transactions grouped by partition, with "create": a row recorded before
   * (a replay after a crash) is left as it was, never duplicated or overwritten.
   */
  async createRows(tableName: string, rows: readonly Row[]): Promise<WriteCounts> {
    if (rows.length === 0) return { rows: 0, transactions: 0 };
    return createRowsInTransactions(await this.table(tableName), tableName, rows);
  }

  /**
   * Moves the current state: a new job's row is created, a known job's row replaced only if its etag is
   * still the one read (optimistic concurrency), so two runs of one printer at once never move a job's
   * state backwards; the loser throws CurrentStateConflictError and its message is retried.
   */
  async writeCurrent(rows: readonly { row: Row; etag?: string }[]): Promise<WriteCounts> {
    if (rows.length === 0) return { rows: 0, transactions: 0 };
    return replaceCurrentRows(await this.table(this.tables.current), this.tables.current, rows);
  }

  /** The current-state tracking of some jobs of one printer (a page of Graph's list), by job key. */
  async currentTracking(printerId: string, jobKeys: readonly string[]): Promise<Map<string, CurrentTracking>> {
    return readCurrentTracking(await this.table(this.tables.current), printerId, jobKeys);
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
    return getEntityIfAny(await this.table(tableName), partitionKey, rowKey);
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
    return deleteRowsWhere(await this.table(tableName), filter, options);
  }
}
