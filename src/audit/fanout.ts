/**
 * The timer's side of a run: which printers to audit, one run row per printer (queued), one queue
 * message per printer. The host spreads the messages over instances and retries them; no loop over
 * printers runs here.
 */
import { type QueueClient } from "@azure/storage-queue";
import { type GraphClient } from "../graph/client";
import { isGuid } from "../validation";
import { newRunId } from "./keys";
import { type AuditLog } from "./auditLog";
import { recordRun, type AuditMessage } from "./runs";
import { type AuditStore } from "./store";
import { GraphError } from "../graph/graphError";

export interface PrinterScope {
  printerIds: string[];
  /** How the list was made, for the log. */
  source: "setting" | "discovered" | "setting+discovered";
}

/**
 * AUDIT_PRINTER_IDS, plus every printer GET /print/printers returns when AUDIT_DISCOVER_PRINTERS=true.
 * Graph documents that listing as unsupported for app-only tokens: a refusal falls back to the list, with a warning.
 */
export async function resolvePrinters(
  settings: { printerIds: readonly string[]; discoverPrinters: boolean },
  graph: GraphClient,
  log: AuditLog,
): Promise<PrinterScope> {
  const ids = new Set(settings.printerIds.map((id) => id.toLowerCase()));
  if (!settings.discoverPrinters) return { printerIds: [...ids], source: "setting" };
  const before = ids.size;
  try {
    for await (const printer of graph.listPrinters({ select: ["id"] })) {
      if (typeof printer?.id === "string" && isGuid(printer.id)) ids.add(printer.id.toLowerCase());
    }
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    const why =
      error.statusCode === 403
        ? "Graph does not allow the app's identity to list printers (app-only listing is documented as unsupported)"
        : `listing printers failed (${error.kind} ${error.statusCode ?? "-"} ${error.code})`;
    log.warn(
      `AUDIT_DISCOVER_PRINTERS=true but ${why}; auditing the ${before} printer(s) of AUDIT_PRINTER_IDS instead.`,
    );
    return { printerIds: [...settings.printerIds], source: "setting" };
  }
  return { printerIds: [...ids], source: before > 0 ? "setting+discovered" : "discovered" };
}

export interface OpenRunResult {
  runId: string;
  printerIds: string[];
}

/** Opens a run: a queued run row and a queue message per printer. */
export async function openRun(options: {
  printerIds: readonly string[];
  pastDue: boolean;
  store: AuditStore;
  queue: QueueClient;
  now?: Date;
}): Promise<OpenRunResult> {
  const now = options.now ?? new Date();
  const runId = newRunId(now);
  await options.queue.createIfNotExists();
  const queued = now.toISOString();
  const ids = [...options.printerIds];
  // Bounded parallelism: thousands of printers are thousands of small writes.
  for (let i = 0; i < ids.length; i += 32) {
    await Promise.all(
      ids.slice(i, i + 32).map(async (printerId) => {
        await recordRun(options.store, {
          RunId: runId,
          PrinterId: printerId,
          Status: "queued",
          PastDue: options.pastDue,
          QueuedDateTime: queued,
        });
        const message: AuditMessage = { runId, printerId };
        await options.queue.sendMessage(JSON.stringify(message));
      }),
    );
  }
  return { runId, printerIds: ids };
}
