/**
 * What the audit's first run says about privacy: on an empty store there is nothing to rewrite, and the log says
 * so calmly instead of announcing a policy change; once rows are recorded, a change of policy is announced as
 * before, with the pass that rewrites them.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { makeJob, printerIdFor } from "../../sandbox/tenant";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";

let rig: Rig;
const printerId = printerIdFor(61);

before(async () => {
  rig = await startRig({ storage: true });
  rig.sim.addPrinter({ id: printerId, displayName: "First start printer" });
  for (let n = 1; n <= 3; n++) rig.sim.addJob(printerId, makeJob(printerId, n));
  await serveAuditQueues(rig);
  rig.configure({
    AUDIT_TABLE_PREFIX: `first${Date.now().toString(36)}`,
    AUDIT_PRINTER_IDS: printerId,
    AUDIT_HASH_KEY: randomBytes(32).toString("base64"),
    AUDIT_REDACT_USERS: undefined,
  });
});
after(async () => {
  rig.configure({ AUDIT_TABLE_PREFIX: undefined, AUDIT_PRINTER_IDS: undefined, AUDIT_HASH_KEY: undefined });
  await rig.stop();
});

function redactionLines(): string[] {
  return rig.host.logs.map((l) => l.message).filter((m) => m.startsWith("auditRedaction:"));
}

test("a first run on an empty store says there is nothing to rewrite, not that the privacy policy changed", async () => {
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  const lines = redactionLines();
  assert.ok(
    lines.some((m) =>
      /^auditRedaction: recording under users=none;.*nothing was recorded before, so there is nothing to rewrite\.$/.test(
        m,
      ),
    ),
    lines.join("\n"),
  );
  assert.ok(!lines.some((m) => /policy changed|rewrites the rows/.test(m)), lines.join("\n"));
});

test("a policy change over recorded rows is still announced with the pass that rewrites them", async () => {
  const seen = rig.host.logs.length;
  rig.configure({ AUDIT_REDACT_USERS: "omit" });
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  const lines = rig.host.logs.slice(seen).map((l) => l.message);
  assert.ok(
    lines.some((m) =>
      /^auditRedaction: the privacy policy changed \(users=omit;.*\); pass 2 rewrites the rows recorded before\.$/.test(
        m,
      ),
    ),
    lines.join("\n"),
  );
  rig.configure({ AUDIT_REDACT_USERS: undefined });
});
