import { app, type InvocationContext, type Timer } from "@azure/functions";
import { auditRunRoom } from "../composition/rooms";
import { invocationLog } from "../http/invocationLog";

/** Each tick indexes older history for at most this long; the next tick goes on from the saved position. */
export const backfillBudgetInMs = 4 * 60_000;

/**
 * Indexes history recorded before the read indexes existed (resumable, idempotent); once complete, each
 * tick is one read of the marker. Until then the read API answers from the old scan.
 */
export async function auditIndexBackfill(_timer: Timer, context: InvocationContext): Promise<void> {
  const runs = await auditRunRoom();
  if (await runs.isIndexComplete()) return;
  const endBy = Date.now() + backfillBudgetInMs;
  const result = await runs.backfillIndexes({ log: invocationLog(context), shouldStop: () => Date.now() > endBy });
  context.log(
    `auditIndexBackfill: ${result.rowsRead} history row(s) read in ${result.pages} page(s), ${result.indexRowsWritten} index row(s) written; ` +
      `${result.complete ? "the indexes are complete" : "time budget used up, the next tick continues"}.`,
  );
}

app.timer("auditIndexBackfill", {
  schedule: "0 */5 * * * *",
  runOnStartup: false,
  useMonitor: true,
  handler: auditIndexBackfill,
});
