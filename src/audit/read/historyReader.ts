/**
 * Which reader answers a history query: once the indexes are complete (indexes/backfill.ts), a merged read of
 * the partitions that answer it; until then, the old filtered scan of the Jobs table. Filters are built with
 * the SDK's odata helper; the created-time range is a RowKey range (see keys.ts), so it narrows the scan of
 * every partition.
 */
import {
  createdPartition,
  createdRange,
  indexBuckets,
  isIndexComplete,
  isIndexToken,
  MergedReader,
  ScanReader,
  statePartition,
  userIdPartition,
  userPartition,
  type ReadPlan,
  type RowReader,
} from "../indexes";
import { invertedTime } from "../keys";
import { type HistoryQuery } from "./historyQuery";
import { type PrivacySettings } from "../snapshot";
import { odata, type AuditStore } from "../store";
import { userFilter, userFilterValues } from "../privacy";

/** The Table filter of a history query (at most 7 comparisons). */
export function historyFilter(q: HistoryQuery, privacy: PrivacySettings): string | undefined {
  const parts: string[] = [];
  if (q.printerId) parts.push(odata`PartitionKey eq ${q.printerId}`);
  // Newer jobs have smaller keys: created >= from is RowKey below the key of `from`, created <= to is RowKey at or above the key of `to`.
  if (q.fromMs !== undefined) parts.push(odata`RowKey lt ${`${invertedTime(q.fromMs)}}`}`);
  if (q.toMs !== undefined) parts.push(odata`RowKey ge ${invertedTime(q.toMs)}`);
  if (q.state !== undefined) parts.push(odata`JobState eq ${q.state}`);
  // As given, lower-cased and as a pseudonym: a person's rows are found whatever mode recorded them.
  if (q.user !== undefined) parts.push(userFilter(q.user, privacy));
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/**
 * The partitions that answer a query: a printer's own history partition; else one person's index
 * partitions; else a state's; else every job's. Each is read with the created-time range as a RowKey range.
 */
export function indexPlan(store: AuditStore, q: HistoryQuery, privacy: PrivacySettings): ReadPlan {
  const range = createdRange(q.fromMs, q.toMs);
  const buckets = Array.from({ length: indexBuckets }, (_, b) => b);
  if (q.printerId) {
    const extra = [
      q.state !== undefined ? odata`JobState eq ${q.state}` : undefined,
      q.user !== undefined ? userFilter(q.user, privacy) : undefined,
    ].filter((x) => x !== undefined);
    return {
      table: store.tables.jobs,
      partitions: [q.printerId],
      ...range,
      ...(extra.length > 0 ? { extra: extra.join(" and ") } : {}),
    };
  }
  if (q.user !== undefined) {
    // As given, lower-cased and as a pseudonym, by UPN and by id: a person's rows are found whatever mode recorded them.
    const values = userFilterValues(q.user, privacy);
    const partitions = [...new Set(values.flatMap((v) => [userPartition(v), userIdPartition(v)]))];
    return {
      table: store.tables.jobIndex,
      partitions,
      ...range,
      ...(q.state !== undefined ? { extra: odata`JobState eq ${q.state}` } : {}),
    };
  }
  if (q.state !== undefined) return { table: store.tables.jobIndex, partitions: [statePartition(q.state)], ...range };
  return { table: store.tables.jobIndex, partitions: buckets.map(createdPartition), ...range };
}

/** The reader of a query: the indexes once complete (or when the token is theirs), else the old scan. */
export async function historyReader(store: AuditStore, q: HistoryQuery, privacy: PrivacySettings): Promise<RowReader> {
  const token = q.continuationToken;
  const indexed = token !== undefined ? isIndexToken(token) : await isIndexComplete(store);
  if (indexed) return new MergedReader(store, indexPlan(store, q, privacy), token);
  return new ScanReader(store, store.tables.jobs, historyFilter(q, privacy), token);
}
