import { app, type InvocationContext } from "@azure/functions";
import { auditRunRoom } from "../composition/rooms";
import { getConfig } from "../config";

/** The host moves a message that failed on every attempt to <queue>-poison; this marks its run row poisoned. */
export async function auditPoison(message: unknown, context: InvocationContext): Promise<void> {
  const runs = await auditRunRoom();
  let parsed;
  try {
    parsed = runs.parseAuditMessage(message);
  } catch (error) {
    context.error(`AuditRunFailed run=- printer=- poisoned message could not be read: ${(error as Error).message}`);
    return;
  }
  await runs.recordRun({
    RunId: parsed.runId,
    PrinterId: parsed.printerId,
    Status: "poisoned",
    EndedDateTime: new Date().toISOString(),
  });
  // The last attempt's missing Graph roles, if Graph refused it, so the alert names them for the poisoned run too.
  const missing = (await runs.getRun(parsed.runId, parsed.printerId).catch(() => undefined))?.MissingGraphRoles;
  context.error(
    `AuditRunFailed run=${parsed.runId} printer=${parsed.printerId}${missing ? ` missingRoles=${missing}` : ""} poisoned: every attempt failed; ` +
      "the next scheduled run audits the printer again.",
  );
}

app.storageQueue("auditPoison", {
  queueName: `${getConfig().audit.queueName}-poison`,
  connection: "AzureWebJobsStorage",
  handler: auditPoison,
});
