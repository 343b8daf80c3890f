/**
 * What a writer of audit rows checks after committing them, in one read of the privacy table's state partition:
 * the erasure list's version (an erasure may have landed since the writer read the list) and the policy the
 * background rewrite works towards. A pass towards a stricter policy than the writer's (the settings changed while
 * a printer's run was writing) may have rewritten the run's history rows before the run wrote their task, index
 * and current-state rows as it knew them: those are checked again under the stricter policy.
 */
import { documentMarkerOf, targetMarkers, userMarkerOf, type PrivacyPolicy } from "../privacy";
import { odata, type AuditStore } from "../store";
import { versionRow } from "./erasureList";
import { redactionStateKey, statePartition } from "./passState";

export interface CommitState {
  /** The erasure list's version token ("" before any erasure). */
  listVersion: string;
  /** The policy the background rewrite works towards (passState.ts's Target), if a pass ever ran. */
  passTarget?: string;
}

/** The list's version and the pass's target, in one query (both rows live in the "state" partition). */
export async function readCommitState(store: AuditStore): Promise<CommitState> {
  const rows = await store.rowsWhere(store.tables.privacy, odata`PartitionKey eq ${statePartition}`, [
    "RowKey",
    "Version",
    "Target",
  ]);
  const row = (rowKey: string): Record<string, unknown> | undefined => rows.find((r) => r.rowKey === rowKey);
  const version = row(versionRow.rowKey)?.Version;
  const target = row(redactionStateKey)?.Target;
  return {
    listVersion: typeof version === "string" ? version : "",
    ...(typeof target === "string" ? { passTarget: target } : {}),
  };
}

/**
 * The writer's policy made as strict as the pass's target where the target is stricter (users left out or hashed,
 * document names left out), or undefined when it is not stricter in anything. Never laxer than the writer's.
 */
export function stricterPolicy(writer: PrivacyPolicy, passTarget: string | undefined): PrivacyPolicy | undefined {
  const parsed = /^users=([^;]*);documents=([^;]*)(?:;|$)/.exec(passTarget ?? "");
  if (!parsed) return undefined;
  const [, users = "", documents = ""] = parsed;
  // Hashing needs the key: a writer without it leaves the user out instead.
  const redactUsers = users === "omit" ? "omit" : users.startsWith("hash:") ? (writer.key ? "hash" : "omit") : "none";
  const target: PrivacyPolicy = { ...writer, redactUsers, omitDocumentNames: documents === "omit" };
  const current = { users: userMarkerOf(writer), documents: documentMarkerOf(writer) };
  const wanted = targetMarkers(current, target, false);
  if (wanted.users === current.users && wanted.documents === current.documents) return undefined;
  return {
    ...writer,
    redactUsers: wanted.users === "omit" ? "omit" : wanted.users.startsWith("hash:") ? "hash" : writer.redactUsers,
    omitDocumentNames: wanted.documents === "omit" || writer.omitDocumentNames,
  };
}
