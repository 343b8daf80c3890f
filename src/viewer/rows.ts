/** Recorded rows as the views read them: a value as text, a row's state and printer, a state's colour. */
import { type AuditRow } from "../contract/auditAnswers";

export const knownStates = ["pending", "processing", "paused", "stopped", "completed", "canceled", "aborted"] as const;

export function text(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  return String(value);
}

export function stateOf(row: AuditRow): string {
  return text(row.JobState) ?? "unknown";
}

/** A CSS class for a state: known states have colours, anything else is "unknown". */
export function stateClass(state: string): string {
  return (knownStates as readonly string[]).includes(state) ? state : "unknown";
}

export function printerLabel(row: AuditRow): string {
  return text(row.PrinterName) ?? text(row.PrinterId) ?? "(unknown printer)";
}
