/**
 * Writes in batches: rows go in entity-group transactions of one partition (at most 100 rows and well under
 * 4 MiB each). History rows are created ("create"), so a replay never changes a row already recorded; the
 * current state is replaced under the etag it was read with. Each transaction is committed by commit.ts.
 */
import { mapLimit } from "../concurrency";
import { isValidKey } from "../keys";
import { type Commit, type Row, type RowPage } from "./rows";
import { entityBytes, fitEntity } from "./sizes";
import { isAlreadyExists, isWriteConflict } from "./tableCalls";
import { CurrentStateConflictError } from "../../errors";

/** An entity-group transaction holds at most 100 operations and 4 MiB; keep a margin for the multipart framing. */
export const maxTransactionRows = 100;
export const maxTransactionBytes = 3 * 1024 * 1024;

export interface WriteCounts {
  rows: number;
  transactions: number;
  /** Rows that were already recorded (a replay after a crash, or an overlapping run): left as they were. */
  existing?: Row[];
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

/** Creates rows partition by partition, up to 32 partitions at once (index rows spread over many partitions). */
export async function createRowsInTransactions(
  commit: Commit,
  tableName: string,
  rows: readonly Row[],
): Promise<WriteCounts> {
  const counts: WriteCounts = { rows: 0, transactions: 0 };
  const partitions = [...byPartition(tableName, rows).values()];
  await mapLimit(partitions, 32, async (partition) => {
    for (const chunk of transactionChunks(partition)) {
      counts.transactions++;
      // Awaited first: `counts.rows += await ...` would read the count before the wait and lose other workers' rows.
      const created = await createChunk(commit, chunk, (row) => (counts.existing ??= []).push(row));
      counts.rows += created;
    }
  });
  return counts;
}

async function createChunk(commit: Commit, chunk: Row[], onExisting: (row: Row) => void): Promise<number> {
  try {
    await commit(chunk.map((row) => ({ op: "create", row })));
    return chunk.length;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  // Some rows were recorded before (a replay after a crash): write the missing ones, one by one.
  let written = 0;
  for (const row of chunk) {
    try {
      await commit({ op: "create", row });
      written++;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      onExisting(row);
    }
  }
  return written;
}

/**
 * Creates a new job's current-state row, or replaces a known job's row only if its etag is still the one
 * read; a row moved meanwhile throws CurrentStateConflictError.
 */
export async function replaceCurrentRows(
  commit: Commit,
  tableName: string,
  rows: readonly { row: Row; etag?: string }[],
): Promise<WriteCounts> {
  const counts: WriteCounts = { rows: 0, transactions: 0 };
  const etags = new Map(rows.map(({ row, etag }) => [`${row.partitionKey}\n${row.rowKey}`, etag]));
  for (const partition of byPartition(
    tableName,
    rows.map((r) => r.row),
  ).values()) {
    for (const chunk of transactionChunks(partition)) {
      try {
        await commit(
          chunk.map((row) => {
            const etag = etags.get(`${row.partitionKey}\n${row.rowKey}`);
            return etag ? { op: "replace", row, etag } : { op: "create", row };
          }),
        );
      } catch (error) {
        if (isWriteConflict(error)) {
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

/** Replaces rows under the etags they were read with, in transactions; a row changed meanwhile fails its transaction. */
export async function replaceRowsInTransactions(
  commit: Commit,
  tableName: string,
  rows: readonly { row: Row; etag: string }[],
): Promise<void> {
  const etags = new Map(rows.map(({ row, etag }) => [`${row.partitionKey}\n${row.rowKey}`, etag]));
  for (const partition of byPartition(
    tableName,
    rows.map((r) => r.row),
  ).values()) {
    for (const chunk of transactionChunks(partition))
      await commit(
        chunk.map((row) => ({ op: "replace", row, etag: etags.get(`${row.partitionKey}\n${row.rowKey}`)! })),
      );
  }
}

/** Deletes every row of some pages (their keys), in transactions of one partition; reports progress after each page. */
export async function deleteRowsOfPages(
  commit: Commit,
  pages: AsyncIterable<RowPage>,
  options: { onProgress?: (deleted: number) => void; shouldStop?: () => boolean } = {},
): Promise<{ deleted: number; stopped: boolean }> {
  let deleted = 0;
  for await (const page of pages) {
    const rowKeysByPartition = new Map<string, string[]>();
    for (const e of page.rows) {
      const list = rowKeysByPartition.get(e.partitionKey!) ?? [];
      list.push(e.rowKey!);
      rowKeysByPartition.set(e.partitionKey!, list);
    }
    for (const [partitionKey, rowKeys] of rowKeysByPartition) {
      for (let i = 0; i < rowKeys.length; i += maxTransactionRows) {
        const chunk = rowKeys.slice(i, i + maxTransactionRows);
        await commit(chunk.map((rowKey) => ({ op: "delete", key: { partitionKey, rowKey } })));
        deleted += chunk.length;
      }
    }
    options.onProgress?.(deleted);
    if (options.shouldStop?.()) return { deleted, stopped: true };
  }
  return { deleted, stopped: false };
}
