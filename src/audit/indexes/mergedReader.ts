/**
 * Reading the indexes: a k-way merge over the partitions of a plan, each read with a RowKey range, as one
 * stream in RowKey order (a row found in several partitions comes once).
 */
import { odata, type AuditStore, type StoredRow } from "../store";
import { decodeIndexToken, encodeIndexToken } from "./continuationTokens";
import { type RowReader } from "./readPage";
import { type Cursor, type ReadPlan } from "./readPlan";

interface Source {
  partition: string;
  cursor: Cursor;
  buffer: StoredRow[];
  /** The service said there is nothing after the buffer. */
  last: boolean;
}

/** Reads the partitions of a plan as one stream in RowKey order (duplicates across partitions once). */
export class MergedReader implements RowReader {
  private readonly sources: Source[];
  /** Storage queries made (for logs and tests). */
  queries = 0;

  constructor(
    private readonly store: AuditStore,
    readonly plan: ReadPlan,
    token?: string,
  ) {
    const cursors = token ? decodeIndexToken(plan, token) : plan.partitions.map((): Cursor => ({ at: "start" }));
    this.sources = plan.partitions.map((partition, i) => ({
      partition,
      cursor: cursors[i]!,
      buffer: [],
      last: cursors[i]!.at === "done",
    }));
  }

  private filterOf(s: Source): string {
    const parts = [odata`PartitionKey eq ${s.partition}`];
    const c = s.cursor;
    if (c.at === "gt") parts.push(odata`RowKey gt ${c.key}`);
    else if (c.at === "ge") parts.push(odata`RowKey ge ${c.key}`);
    if (
      this.plan.low !== undefined &&
      (c.at === "start" || c.at === "service" || ((c.at === "gt" || c.at === "ge") && c.key < this.plan.low))
    )
      parts.push(odata`RowKey ge ${this.plan.low}`);
    if (this.plan.high !== undefined) parts.push(odata`RowKey lt ${this.plan.high}`);
    if (this.plan.extra) parts.push(`(${this.plan.extra})`);
    return parts.join(" and ");
  }

  /** Fills every empty source that may hold more, `want` rows each at most. */
  private async fill(want: number): Promise<void> {
    const empty = this.sources.filter((s) => s.buffer.length === 0 && !s.last);
    if (empty.length === 0) return;
    await Promise.all(
      empty.map(async (s) => {
        // A page may stop without rows (the service's 5 s or 1,000-row scan limit under a column filter): go on from where it stopped.
        while (s.buffer.length === 0 && !s.last) {
          this.queries++;
          const c = s.cursor;
          const page = await this.store.queryPage(
            this.plan.table,
            this.filterOf(s),
            Math.min(1000, Math.max(1, want)),
            c.at === "service" ? c.token : undefined,
          );
          s.buffer = page.rows;
          if (!page.continuationToken) s.last = true;
          // The service's positions are opaque: go on from its token (the bounds of the filter still hold).
          else if (page.rows.length === 0) s.cursor = { at: "service", token: page.continuationToken };
        }
        if (s.buffer.length === 0) s.cursor = { at: "done" };
      }),
    );
  }

  /** The next row without taking it; `want` sizes the reads (about how many rows are still wanted). */
  async peek(want: number): Promise<StoredRow | undefined> {
    const active = this.sources.filter((s) => s.buffer.length > 0 || !s.last).length;
    await this.fill(Math.ceil((want * 1.25) / Math.max(1, active)) + 2);
    let best: StoredRow | undefined;
    for (const s of this.sources) {
      const head = s.buffer[0];
      if (head && (best === undefined || head.rowKey! < best.rowKey!)) best = head;
    }
    return best;
  }

  /** Takes the next row (from every partition that holds it). */
  async take(want: number): Promise<StoredRow | undefined> {
    const row = await this.peek(want);
    if (!row) return undefined;
    for (const s of this.sources) {
      if (s.buffer[0]?.rowKey === row.rowKey) {
        s.buffer.shift();
        s.cursor = { at: "gt", key: row.rowKey! };
        if (s.buffer.length === 0 && s.last) s.cursor = { at: "done" };
      }
    }
    return row;
  }

  /** Where to go on from, or undefined when every partition is read to its end. */
  token(): string | undefined {
    if (this.sources.every((s) => s.cursor.at === "done")) return undefined;
    return encodeIndexToken(
      this.plan,
      this.sources.map((s) => s.cursor),
    );
  }
}
