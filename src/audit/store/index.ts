/**
 * The audit's store: the one door to Azure Table Storage. Nothing outside this folder holds a TableClient or
 * imports @azure/data-tables (ESLint refuses it; the odata filter helper is lent from here). Callers ask for
 * what they mean:
 *
 *   write   createRows (history, "create" in transactions) · writeCurrent (the current state, under etags)
 *           replaceRows (a rewrite, under etags) · mergeRow (a marker, a run record) · putRow (a row derived
 *           again) · createRow / replaceRow / deleteRow (one row, conditional: false when another writer got
 *           there first) · deleteWhere (a range, in transactions)
 *   read    getRow · rowsWithPrefix · rowsWhere · scan (lazily) · pages · queryPage · currentTracking
 *
 * Every write passes through one step, commit.ts: its keys are checked, its row fitted to Table limits
 * (sizes.ts), and it is sent as one call or one entity-group transaction of one partition (transactions.ts
 * cuts them). Whatever must hold for every row written, or watch it, goes there.
 */
export { odata } from "@azure/data-tables";
export { AuditStore } from "./auditStore";
export { isContinuationToken } from "./continuationToken";
export { type CurrentTracking } from "./currentTracking";
export { rowsByTable, type Row, type RowPage, type StoredRow, type TableRow } from "./rows";
export { entityBytes, fitEntity, maxEntityBytes, maxStringChars, truncate } from "./sizes";
export { tableClientFactory, type TableClientFactory } from "./tableClients";
export { maxTransactionBytes, maxTransactionRows, transactionChunks, type WriteCounts } from "./transactions";
