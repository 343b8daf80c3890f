import { app, type InvocationContext, type Timer } from "@azure/functions";
import { auditRunRoom } from "../composition/rooms";
import { getConfig } from "../config";
import { invocationLog } from "../http/invocationLog";

/** Purges audit history older than AUDIT_RETENTION_DAYS, in batches. */
export async function auditRetention(_timer: Timer, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const { audit } = getConfig();
  const result = await (await auditRunRoom()).purgeHistory(invocationLog(context));
  context.log(
    `auditRetention: deleted jobRows=${result.jobRows} taskRows=${result.taskRows} currentRows=${result.currentRows} runRows=${result.runRows} eventRows=${result.eventRows} indexRows=${result.indexRows} ` +
      `older than ${result.cutoff} (${audit.retentionDays} days) in ${Date.now() - started} ms${result.stopped ? "; time budget used up, the next run continues" : ""}.`,
  );
}

app.timer("auditRetention", {
  schedule: getConfig().audit.retentionSchedule,
  runOnStartup: false,
  useMonitor: true,
  handler: auditRetention,
});
