import { app, type InvocationContext } from "@azure/functions";
import {
  checkIdPattern,
  checkQueueName,
  completeCheck,
  parseIntegrityRange,
  verifyIntegrity,
} from "../audit/integrity";
import { getConfig } from "../config";
import { getAuditStore, getEvidenceAnchor } from "../services";
import { integrityEvent } from "../http/integrityEvent";
import { emitIntegrityVerified } from "../telemetry";

/** A background check of a long range (queued by GET /api/audit/integrity): verifies and stores the report on its record. */
export async function auditIntegrityCheck(message: unknown, context: InvocationContext): Promise<void> {
  const body = (typeof message === "string" ? JSON.parse(message) : message) as Record<string, unknown> | null;
  const checkId = String(body?.checkId ?? "");
  if (!checkIdPattern.test(checkId)) {
    context.error("auditIntegrityCheck: the message has no check id; dropped.");
    return;
  }
  const range = parseIntegrityRange(new URLSearchParams({ from: String(body?.from), to: String(body?.to) }));
  const store = getAuditStore();
  const startedAt = Date.now();
  const { report } = await verifyIntegrity(
    { store, anchor: getEvidenceAnchor() },
    { from: range.from, to: range.to, retentionDays: getConfig().audit.retentionDays },
  ).catch((error: unknown) => {
    emitIntegrityVerified(context, integrityEvent(range, startedAt));
    throw error;
  });
  emitIntegrityVerified(context, integrityEvent(range, startedAt, report));
  await completeCheck(store, checkId, { ...report, findings: report.findings.slice(0, 1000) });
  context.log(
    `auditIntegrity check=${checkId} intact=${report.intact} rowsChecked=${report.rowsChecked} findings=${report.findings.length}`,
  );
}

app.storageQueue("auditIntegrityCheck", {
  queueName: checkQueueName(getConfig().audit.queueName),
  connection: "AzureWebJobsStorage",
  handler: auditIntegrityCheck,
});
