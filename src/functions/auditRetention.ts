import { app, type InvocationContext, type Timer } from "@azure/functions";
import { purgeHistory } from "../audit/retention";
import { getConfig } from "../config";
import { getAuditStore } from "../services";

/** Purges audit history older than AUDIT_RETENTION_DAYS, in batches. */
export async function auditRetention(_timer: Timer, context: InvocationContext): Promise<void> {
  const started = Date.now();
  const { audit } = getConfig();
  const result = await purgeHistory(getAuditStore(), {
    retentionDays: audit.retentionDays,
    log: { log: (m) => context.log(m), warn: (m) => context.warn(m) },
  });
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
