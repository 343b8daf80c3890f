/** The audit's store over Azure Table Storage, as the rest of the app uses it. */
export { AuditStore, type Row, type StoredRow } from "./auditStore";
export { isContinuationToken } from "./continuationToken";
export { type CurrentTracking } from "./currentTracking";
export { entityBytes, fitEntity, maxEntityBytes, maxStringChars, truncate } from "./sizes";
export { getEntityIfAny, isNotFound, isWriteConflict } from "./tableCalls";
export { tableClientFactory, type TableClientFactory } from "./tableClients";
export { maxTransactionBytes, maxTransactionRows, transactionChunks, type WriteCounts } from "./transactions";
