/** The audit's read API and polling triggers: the audit's read side over the audit tables of the settings. */
import { type InvocationContext } from "@azure/functions";
import {
  auditedPrinters,
  currentCursor,
  encodeCursor,
  failingPrinters,
  finishedJobs,
  publicEvent,
  readEvents,
  type EventCursor,
  type PrinterFailingAlert,
  parseEventFeedQuery,
  parseJobFinishedQuery,
  parsePrinterFailingQuery,
  type EventFeedRequest,
  type JobFinishedRequest,
  type PrinterFailingRequest,
} from "../audit/events";
import {
  exportHistoryCsv,
  getJobTimeline,
  listHistoryPage,
  parseHistoryQuery,
  parseSummaryQuery,
  readSummaries,
  type HistoryQuery,
  type SummaryQuery,
} from "../audit/read";
import { type PrivacySettings } from "../audit/snapshot";
import { auditReplyToError } from "../http/auditReplies";
import { type TriggerFeed } from "../http/triggerPolls";
import { type AuditClients } from "./auditClients";

export type AuditReadRoom = ReturnType<typeof createAuditReadRoom>;

export function createAuditReadRoom(clients: AuditClients) {
  const store = clients.auditStore();
  const { audit } = clients.config;
  // The key is needed only to find a person's pseudonymized rows.
  const privacyFor = (user: string | undefined): Promise<PrivacySettings> =>
    user === undefined ? Promise.resolve(audit) : clients.privacyForLookup();
  return {
    replyToError: (context: InvocationContext, error: unknown, subject: string) =>
      auditReplyToError(context, error, subject, clients.app.graphTokenRoles()),
    encodeCursor,
    publicEvent,
    parseHistoryQuery: (query: URLSearchParams) => parseHistoryQuery(query, audit),
    historyPage: async (query: HistoryQuery, options: { deadline: number }) =>
      listHistoryPage(store, query, await privacyFor(query.user), options),
    historyCsv: async (query: HistoryQuery, options: { deadline: number }) =>
      exportHistoryCsv(store, query, await privacyFor(query.user), options),
    jobTimeline: (printerId: string, jobId: string) => getJobTimeline(store, printerId, jobId),
    parseEventFeedQuery: (query: URLSearchParams) => parseEventFeedQuery(query, audit),
    events: async ({ from, filter, top }: EventFeedRequest) =>
      readEvents(store, { from, filter, top, privacy: await privacyFor(filter.user) }),
    parseSummaryQuery: (query: URLSearchParams) => parseSummaryQuery(query),
    summaries: (query: SummaryQuery) => readSummaries(store, query, audit),
    auditedPrinters: () => auditedPrinters(store, audit.printerIds),
    parseJobFinishedQuery: (query: URLSearchParams) => parseJobFinishedQuery(query, audit),
    parsePrinterFailingQuery: (query: URLSearchParams) => parsePrinterFailingQuery(query),
    /** The "When a print job finishes" feed of a poll's options. */
    finishedJobs: (query: JobFinishedRequest): TriggerFeed<Record<string, unknown>> => ({
      currentCursor: () => currentCursor(store),
      encodeCursor,
      readBatch: async (from: EventCursor) =>
        finishedJobs(store, {
          from,
          printerId: query.printerId,
          states: query.states,
          user: query.user,
          privacy: await privacyFor(query.user),
        }),
    }),
    /** The "When a printer keeps failing" feed of a poll's options. */
    failingPrinters: (query: PrinterFailingRequest): TriggerFeed<PrinterFailingAlert> => ({
      currentCursor: () => currentCursor(store),
      encodeCursor,
      readBatch: (from: EventCursor) =>
        failingPrinters(store, {
          from,
          printerId: query.printerId,
          threshold: query.threshold,
          windowMs: query.windowMs,
          window: query.window,
          privacy: audit,
        }),
    }),
  };
}
