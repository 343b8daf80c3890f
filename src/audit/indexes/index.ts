/** The read indexes (JobIndex): their rows, the merged read over them, pages, and the backfill of older history. */
export {
  backfillIndexes,
  backfillPartition,
  backfillRowKey,
  completeIndexesOfNewAudit,
  isIndexComplete,
  type BackfillResult,
  type BackfillState,
} from "./backfill";
export { isIndexToken, isWellFormedIndexToken } from "./continuationTokens";
export {
  createdPartition,
  indexBuckets,
  indexRowKey,
  indexRows,
  jobBucket,
  statePartition,
  userIdPartition,
  userPartition,
} from "./indexRows";
export { MergedReader } from "./mergedReader";
export { readPage, type IndexedPage, type RowReader } from "./readPage";
export { createdRange, type ReadPlan } from "./readPlan";
export { ScanReader } from "./scanReader";
