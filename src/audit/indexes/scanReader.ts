/**
 * The old path, while the backfill runs: one filtered query over the Jobs table (by printer, then newest
 * job first), continued with the service's own tokens. When a page ends inside a service page (latest=true
 * ends a page at a job's last row), the token holds that service page's start and the next row's keys: the
 * next page reads from there and skips the rows before that key.
 */
import { type AuditStore, type StoredRow } from "../store";
import { decodeScanToken, encodeScanToken, isScanToken } from "./continuationTokens";
import { type RowReader } from "./readPage";

export class ScanReader implements RowReader {
  private buffer: StoredRow[] = [];
  private next: string | undefined;
  /** The service token the buffer's page was read with. */
  private bufferFrom: string | undefined;
  private started = false;
  private skipBefore: { pk: string; rk: string } | undefined;
  queries = 0;
  /** A scan has no cheap look ahead: its last page may be empty (as the service's own paging is). */
  readonly peekCostly = true;

  constructor(
    private readonly store: AuditStore,
    private readonly table: string,
    private readonly filter: string | undefined,
    token?: string,
  ) {
    if (token !== undefined && isScanToken(token)) {
      const at = decodeScanToken(filter, token);
      this.next = at.t;
      this.skipBefore = { pk: at.pk, rk: at.rk };
    } else this.next = token;
  }

  async peek(want: number): Promise<StoredRow | undefined> {
    while (this.buffer.length === 0 && (!this.started || this.next)) {
      this.started = true;
      this.queries++;
      this.bufferFrom = this.next;
      const page = await this.store.queryPage(this.table, this.filter, Math.min(1000, Math.max(1, want)), this.next);
      this.buffer = page.rows;
      this.next = page.continuationToken;
      const skip = this.skipBefore;
      if (skip) {
        this.buffer = this.buffer.filter(
          (r) => r.partitionKey! > skip.pk || (r.partitionKey === skip.pk && r.rowKey! >= skip.rk),
        );
        if (this.buffer.length > 0) this.skipBefore = undefined;
      }
    }
    return this.buffer[0];
  }

  async take(want: number): Promise<StoredRow | undefined> {
    const row = await this.peek(want);
    this.buffer.shift();
    return row;
  }

  token(): string | undefined {
    const head = this.buffer[0];
    if (!head) return this.next;
    return encodeScanToken(this.filter, { t: this.bufferFrom ?? null, pk: head.partitionKey, rk: head.rowKey });
  }
}
