/** Erasing one person from every audit table, and the records of erasures. */
import { type InvocationContext } from "@azure/functions";
import { eraseUser, erasureIdPattern, getErasure, type ErasureRecord } from "../audit/redaction";
import { auditReplyToError } from "../http/auditReplies";
import { emitAuditErasure } from "../telemetry";
import { type AuditClients } from "./auditClients";
import { PseudonymKeyUnavailableError } from "../errors";

export interface ErasureRoom {
  /** Erases the person; the record says completed, or running when the deadline came first. */
  erase(user: string, options: { requestedBy: string; deadline: number }): Promise<ErasureRecord>;
  erasure(erasureId: string): Promise<ErasureRecord | undefined>;
  erasureIdPattern: RegExp;
  emitAuditErasure: typeof emitAuditErasure;
  replyToError(context: InvocationContext, error: unknown, subject: string): ReturnType<typeof auditReplyToError>;
}

export function createErasureRoom(clients: AuditClients): ErasureRoom {
  const store = clients.auditStore();
  return {
    erase: async (user, options) => {
      const policy = await clients.privacy();
      if (!policy.key)
        throw new PseudonymKeyUnavailableError(
          "Setting AUDIT_HASH_KEY is not set: the erasure list is keyed with it, so erasure needs it (the Bicep wires a Key Vault secret).",
        );
      return eraseUser(store, { ...policy, key: policy.key }, user, options);
    },
    erasure: (erasureId) => getErasure(store, erasureId),
    erasureIdPattern,
    emitAuditErasure,
    replyToError: (context, error, subject) =>
      auditReplyToError(context, error, subject, clients.app.graphTokenRoles()),
  };
}
