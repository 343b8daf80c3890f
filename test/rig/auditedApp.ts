/**
 * The app recording audits on the offline rig (started with `storage: true`): the local host serves its audit
 * queues from Azurite, and the suite fires the audit timer itself (timers stay off, so no run starts on its own).
 */
import { type Rig } from "./rig";

/**
 * Serves the audit queues; a failed delivery is visible again at once, so a retry does not wait out a timeout. The
 * pollers back off to a second at most while the queues stay empty (a message the suite adds itself, not through
 * the app, is picked up within it; every invocation and every wait for idle queues wakes them).
 */
export async function serveAuditQueues(rig: Rig, pollingIntervalInMs = 20): Promise<void> {
  await rig.host.startTriggers({
    connectionString: rig.azurite!.connectionString,
    timers: false,
    visibilityTimeoutInMs: 0,
    pollingIntervalInMs,
    maxPollingIntervalInMs: 1000,
  });
}

/** One scheduled audit, end to end: the timer fans out a message per printer; resolves when the queues are idle. */
export async function runScheduledAudit(rig: Rig, idle: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
  await rig.host.fireTimer("auditTimer");
  await rig.host.waitForQueuesIdle(idle);
}
