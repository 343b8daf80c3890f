import { type InvocationContext } from "@azure/functions";
import { type AuditLog } from "../audit/auditLog";

/** The invocation's log as the domain writes to it (lines and warnings); errors stay the function's to log. */
export function invocationLog(context: InvocationContext): AuditLog {
  return { log: (message) => context.log(message), warn: (message) => context.warn(message) };
}
