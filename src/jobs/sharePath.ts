import { type GetPrintJobOptions, type GraphClient, type GraphResponse } from "../graph/client";
import { type PrintJobRef } from "../graph/paths";
import { GraphError } from "../graph/graphError";
import { type PrintJob } from "../graph/types";

/**
 * Reading a job through a printer share either way. Graph's pages disagree on whether an application may
 * read /print/shares/{id}/jobs/{id} (one asks for "Get printerShare" access, which no application role
 * grants). Where Graph refuses it (403), the share's printer is resolved with GET /print/shares/{id}/printer
 * (Printer.Read.All), kept for a while, and the job is read through the printer path.
 */

/** Which Graph path served a job: the answer's X-Print-Job-Path header. */
export type PrintJobPath = "printer" | "share" | "printer-via-share";
export const printJobPathHeader = "x-print-job-path";

/** How long a share's printer is trusted; a share re-pointed to another printer is seen after this. */
export const sharePrinterTtlInMs = 60 * 60 * 1000;
/** Shares remembered at most; the oldest is forgotten first. */
export const sharePrinterCacheSize = 1000;

interface CachedPrinter {
  printerId: string;
  expiresAt: number;
}

/** share key (Graph base + share id) -> the share's printer, for shares whose own job path Graph refused. */
const sharePrinters = new Map<string, CachedPrinter>();

function remembered(key: string, now: number): string | undefined {
  const entry = sharePrinters.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    sharePrinters.delete(key);
    return undefined;
  }
  return entry.printerId;
}

/** Keeps a share's printer (exported for tests); the oldest share is forgotten past the bound. */
export function rememberSharePrinter(graphBaseUrl: string, shareId: string, printerId: string, now: number): void {
  remember(`${graphBaseUrl} ${shareId}`, printerId, now);
}

function remember(key: string, printerId: string, now: number): void {
  sharePrinters.delete(key);
  sharePrinters.set(key, { printerId, expiresAt: now + sharePrinterTtlInMs });
  while (sharePrinters.size > sharePrinterCacheSize) sharePrinters.delete(sharePrinters.keys().next().value!);
}

/** For tests: forget every resolved share. */
export function resetSharePrinters(): void {
  sharePrinters.clear();
}

export function sharePrintersCached(): number {
  return sharePrinters.size;
}

export interface ServedPrintJob extends GraphResponse<PrintJob> {
  path: PrintJobPath;
}

function isAccessDenied(error: unknown): boolean {
  return error instanceof GraphError && error.kind === "graph" && error.statusCode === 403;
}

/** Gets a job through its printer, or through its share with the printer path as the fallback. */
export async function getServedPrintJob(
  graph: GraphClient,
  ref: PrintJobRef,
  options: GetPrintJobOptions = {},
  now: () => number = Date.now,
): Promise<ServedPrintJob> {
  if (ref.shareId === undefined) return { ...(await graph.getPrintJob(ref, options)), path: "printer" };
  const key = `${graph.baseUrl} ${ref.shareId}`;
  const known = remembered(key, now());
  if (known !== undefined)
    return { ...(await graph.getPrintJob({ printerId: known, jobId: ref.jobId }, options)), path: "printer-via-share" };
  let refused: unknown;
  try {
    return { ...(await graph.getPrintJob(ref, options)), path: "share" };
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    refused = error;
  }
  let printerId: unknown;
  try {
    printerId = (await graph.getSharePrinter(ref.shareId, options)).body?.id;
  } catch (error) {
    // No such share stays a 404; a refusal here too (no Printer.Read.All) is the share path's 403.
    if (isAccessDenied(error)) throw refused;
    throw error;
  }
  if (typeof printerId !== "string" || printerId === "") throw refused;
  remember(key, printerId, now());
  return { ...(await graph.getPrintJob({ printerId, jobId: ref.jobId }, options)), path: "printer-via-share" };
}
