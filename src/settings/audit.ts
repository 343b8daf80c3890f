import { ConfigError } from "../errors";
import { isGuid } from "../validation";
import { boolean, integer, oneOf, text, type Env } from "./env";
import { hashKeySetting, type HashKeySource, type RedactUsers } from "./privacy";

export interface AuditSettings {
  printerIds: string[];
  discoverPrinters: boolean;
  schedule: string;
  queueName: string;
  tablePrefix: string;
  redactUsers: RedactUsers;
  omitDocumentNames: boolean;
  retentionDays: number;
  retentionSchedule: string;
  /** The secret key of user pseudonyms and of the erasure list (AUDIT_HASH_KEY); required under AUDIT_REDACT_USERS=hash. */
  hashKey?: HashKeySource;
  /** The blob container the evidence is anchored in (docs/integrity.md), under an immutability policy in Azure. */
  evidenceContainer: string;
}

/** Printer ids from a comma- or space-separated list; each must be a GUID. Duplicates are dropped. */
export function parsePrinterIds(name: string, raw: string | undefined): string[] {
  if (!raw) return [];
  const ids = raw.split(/[\s,;]+/).filter((s) => s.length > 0);
  const bad = ids.filter((id) => !isGuid(id));
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 3)
      .map((b) => `"${b.slice(0, 40)}"`)
      .join(", ");
    throw new ConfigError(name, `${bad.length} value(s) are not printer GUIDs: ${shown}.`);
  }
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/** A six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}). */
export function parseSchedule(name: string, raw: string): string {
  const fields = raw.trim().split(/\s+/);
  if (fields.length !== 6 || fields.some((f) => !/^[\d*/,\-A-Za-z]+$/.test(f))) {
    throw new ConfigError(name, `"${raw}" is not a six-field NCRONTAB expression such as "0 */10 * * * *".`);
  }
  return fields.join(" ");
}

export function auditSettings(env: Env): AuditSettings {
  const tablePrefix = text(env, "AUDIT_TABLE_PREFIX") ?? "printaudit";
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(tablePrefix)) {
    throw new ConfigError(
      "AUDIT_TABLE_PREFIX",
      "must start with a letter and hold only letters and digits (at most 40).",
    );
  }
  const queueName = text(env, "AUDIT_QUEUE_NAME") ?? "print-audit";
  // At most 56 characters: the host's poison queue adds "-poison" and queue names stop at 63.
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/.test(queueName)) {
    throw new ConfigError(
      "AUDIT_QUEUE_NAME",
      `"${queueName}" is not a valid queue name (3-56 lower-case letters, digits, single dashes).`,
    );
  }
  const evidenceContainer = text(env, "AUDIT_EVIDENCE_CONTAINER") ?? "audit-evidence";
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(evidenceContainer)) {
    throw new ConfigError(
      "AUDIT_EVIDENCE_CONTAINER",
      `"${evidenceContainer.slice(0, 70)}" is not a valid blob container name (3-63 lower-case letters, digits, single dashes).`,
    );
  }
  const redactUsers = oneOf<RedactUsers>(env, "AUDIT_REDACT_USERS", ["none", "hash", "omit"], "none");
  return {
    printerIds: parsePrinterIds("AUDIT_PRINTER_IDS", text(env, "AUDIT_PRINTER_IDS")),
    discoverPrinters: boolean(env, "AUDIT_DISCOVER_PRINTERS", false),
    schedule: parseSchedule("AUDIT_SCHEDULE", text(env, "AUDIT_SCHEDULE") ?? "0 */10 * * * *"),
    queueName,
    tablePrefix,
    redactUsers,
    omitDocumentNames: boolean(env, "AUDIT_OMIT_DOCUMENT_NAMES", false),
    retentionDays: integer(env, "AUDIT_RETENTION_DAYS", 400, 1, 36_500),
    retentionSchedule: parseSchedule(
      "AUDIT_RETENTION_SCHEDULE",
      text(env, "AUDIT_RETENTION_SCHEDULE") ?? "0 30 3 * * *",
    ),
    hashKey: hashKeySetting(env, redactUsers),
    evidenceContainer,
  };
}

/** The queue of the integrity route's background checks: `<AUDIT_QUEUE_NAME>-check` (named at registration, so in the kernel). */
export function integrityCheckQueueName(auditQueueName: string): string {
  return `${auditQueueName}-check`;
}
