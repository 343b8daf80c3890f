/**
 * The current-state tracking of a page of jobs: what change detection reads from each job's current-state
 * row. Graph's job ids are increasing numbers, so a page's keys usually sit close together: one RowKey range
 * query (read up to 4x the page) finds them all. Keys the range could not settle are looked up 14 to a query
 * (the filter limit is 15 comparisons). Memory stays bounded by the page either way.
 */
import { odata, type TableClient } from "@azure/data-tables";

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

/** Table queries allow at most 15 comparisons in a filter: one for the partition, 14 for row keys. */
const rowKeysPerQuery = 14;
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

type Keep = (entity: Record<string, unknown>) => void;

/** The tracking of some jobs of one printer, by job key (a job never recorded has none). */
export async function readCurrentTracking(
  client: TableClient,
  printerId: string,
  jobKeys: readonly string[],
): Promise<Map<string, CurrentTracking>> {
  const wanted = new Set(jobKeys);
  const found = new Map<string, CurrentTracking>();
  const keep: Keep = (e) => {
    const key = String(e.rowKey);
    if (wanted.has(key)) found.set(key, trackingOf(key, e));
  };
  const unsettled = wanted.size > rowKeysPerQuery ? await readKeyRange(client, printerId, wanted, keep) : [...wanted];
  await readKeys(client, printerId, unsettled, keep);
  return found;
}

function trackingOf(key: string, e: Record<string, unknown>): CurrentTracking {
  return {
    jobId: String(e.JobId ?? key),
    fingerprint: String(e.Fingerprint ?? ""),
    jobFingerprint: String(e.JobFingerprint ?? ""),
    tasksFingerprint: String(e.TasksFingerprint ?? ""),
    sequence: Number(e.Sequence ?? 0),
    keyTime: String(e.KeyTime ?? ""),
    terminal: e.Terminal === true,
    etag: String(e.etag ?? ""),
  };
}

/** Reads the RowKey range from the smallest wanted key to the largest, up to 4x the keys; returns the keys it did not reach. */
async function readKeyRange(
  client: TableClient,
  printerId: string,
  wanted: ReadonlySet<string>,
  keep: Keep,
): Promise<string[]> {
  const sorted = [...wanted].sort();
  const cap = Math.max(100, wanted.size * 4);
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${sorted[0]!} and RowKey le ${sorted[sorted.length - 1]!}`;
  let read = 0;
  let lastKey = "";
  for await (const page of client
    .listEntities({ queryOptions: { filter, select } })
    .byPage({ maxPageSize: Math.min(1000, cap) })) {
    for (const e of page) {
      keep(e);
      lastKey = String(e.rowKey);
      read++;
    }
    if (!page.continuationToken) return [];
    if (read >= cap) break;
  }
  return sorted.filter((k) => k > lastKey);
}

/** Looks keys up 14 to a query, the queries at once. */
async function readKeys(client: TableClient, printerId: string, keys: readonly string[], keep: Keep): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += rowKeysPerQuery) chunks.push(keys.slice(i, i + rowKeysPerQuery));
  await Promise.all(
    chunks.map(async (chunk) => {
      const rowFilter = chunk.map((k) => odata`RowKey eq ${k}`).join(" or ");
      const filter = `${odata`PartitionKey eq ${printerId}`} and (${rowFilter})`;
      for await (const e of client.listEntities({ queryOptions: { filter, select } })) keep(e);
    }),
  );
}
