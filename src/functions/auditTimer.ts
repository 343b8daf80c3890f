import { app, type InvocationContext, type Timer } from "@azure/functions";
import { openRun, resolvePrinters } from "../audit/fanout";
import { getConfig } from "../config";
import { getAuditStore, getGraphClient, getQueueClient } from "../services";

/** Opens an audit run: one run row and one queue message per printer; auditPrinter does the work. */
export async function auditTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const { audit } = getConfig();
  const log = { log: (m: string) => context.log(m), warn: (m: string) => context.warn(m) };
  const scope = await resolvePrinters(audit, getGraphClient("background"), log);
  if (scope.printerIds.length === 0) {
    context.warn(
      "auditTimer: nothing to audit. Set AUDIT_PRINTER_IDS to the printer GUIDs to audit (comma- or space-separated), " +
        "or AUDIT_DISCOVER_PRINTERS=true where the identity may list printers.",
    );
    return;
  }
  const pastDue = timer?.isPastDue === true;
  const run = await openRun({ printerIds: scope.printerIds, pastDue, store: getAuditStore(), queue: getQueueClient(audit.queueName) });
  if (pastDue) context.warn(`auditTimer: run ${run.runId} started past due (the previous schedule was missed); it runs now and its run rows say PastDue.`);
  context.log(`auditTimer: run ${run.runId} queued ${run.printerIds.length} printer(s) (${scope.source}) on ${audit.queueName} in ${Date.now() - started} ms.`);
}

app.timer("auditTimer", {
  schedule: getConfig().audit.schedule,
  runOnStartup: false,
  useMonitor: true,
  handler: auditTimer,
});
