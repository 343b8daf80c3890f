/**
 * The events feed: one event row per job history row (eventRows.ts), read in the order the audit observed
 * them below a safe watermark (feed.ts) from an opaque cursor (cursors.ts); the polling triggers evaluated
 * over it (triggers.ts), their options (query.ts) and the printer picker (printers.ts).
 */
export { decodeCursor, encodeCursor, type EventCursor } from "./cursors";
export { eventRows, eventsBefore } from "./eventRows";
export { currentCursor, eventFeedTuning, publicEvent, readEvents, timeOfEventKey } from "./feed";
export { eventFilter, maxFilterComparisons, type EventFilter, type FeedQuery } from "./feedFilter";
export { auditedPrinters } from "./printers";
export { parseEventFeedQuery, parseJobFinishedQuery, parsePrinterFailingQuery } from "./query";
export { failingPrinters, finishedJobs, type TriggerBatch } from "./triggers";
