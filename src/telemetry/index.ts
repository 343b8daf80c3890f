/** The app's named telemetry: one function per event (events.ts lists their dimensions), sent through emit.ts. */
import { RestError } from "@azure/core-rest-pipeline";
import { GraphError } from "../errors";
import { emit, type TelemetrySink } from "./emit";
import {
  type AuditErasure,
  type AuditRunStarted,
  type GetJobCalled,
  type IntegrityVerified,
  type PrinterAudited,
  type RedactionPass,
  type TriggerPolled,
} from "./events";

export { eventPrefix, formatEvent, type TelemetrySink } from "./emit";
export type * from "./events";

export const emitAuditRunStarted = (sink: TelemetrySink, event: AuditRunStarted): void =>
  emit(sink, "AuditRunStarted", event);

export const emitPrinterAudited = (sink: TelemetrySink, event: PrinterAudited): void =>
  emit(sink, "PrinterAudited", event, event.outcome !== "succeeded");

export const emitGetJobCalled = (sink: TelemetrySink, event: GetJobCalled): void =>
  emit(sink, "GetJobCalled", event, event.status >= 500);

export const emitTriggerPolled = (sink: TelemetrySink, event: TriggerPolled): void =>
  emit(sink, "TriggerPolled", event, event.status >= 500);

export const emitAuditErasure = (sink: TelemetrySink, event: AuditErasure): void =>
  emit(sink, "AuditErasure", event, event.status === "failed");

export const emitRedactionPass = (sink: TelemetrySink, event: RedactionPass): void =>
  emit(sink, "RedactionPass", event, event.outcome === "failed");

/** For GET /api/audit/integrity and its background check: one event per check, `broken` and `failed` as warnings. */
export const emitIntegrityVerified = (sink: TelemetrySink, event: IntegrityVerified): void =>
  emit(sink, "IntegrityVerified", event, event.outcome !== "intact");

/** A failure as a short stable code for the `reason` dimension: never the message, which may quote Graph's data. */
export function failureReason(error: unknown): string {
  if (error instanceof GraphError) {
    return error.kind === "graph" ? `graph${error.statusCode ?? ""}` : error.kind;
  }
  if (error instanceof RestError) return `storage${error.statusCode ?? ""}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(code)) return code;
  return "unexpected";
}
