import { app, type InvocationContext } from "@azure/functions";
import { integrityRoom } from "../composition/rooms";
import { getConfig } from "../config";
import { integrityCheckQueueName } from "../settings/audit";

/** A background check of a long range (queued by GET /api/audit/integrity): verifies and stores the report on its record. */
export async function auditIntegrityCheck(message: unknown, context: InvocationContext): Promise<void> {
  const integrity = await integrityRoom();
  const body = (typeof message === "string" ? JSON.parse(message) : message) as Record<string, unknown> | null;
  const checkId = String(body?.checkId ?? "");
  if (!integrity.checkIdPattern.test(checkId)) {
    context.error("auditIntegrityCheck: the message has no check id; dropped.");
    return;
  }
  const range = integrity.parseRange(new URLSearchParams({ from: String(body?.from), to: String(body?.to) }));
  const report = await integrity.verify(context, range);
  await integrity.completeCheck(checkId, { ...report, findings: report.findings.slice(0, 1000) });
  context.log(
    `auditIntegrity check=${checkId} intact=${report.intact} rowsChecked=${report.rowsChecked} findings=${report.findings.length}`,
  );
}

app.storageQueue("auditIntegrityCheck", {
  queueName: integrityCheckQueueName(getConfig().audit.queueName),
  connection: "AzureWebJobsStorage",
  handler: auditIntegrityCheck,
});
