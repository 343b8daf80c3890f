/** Daily summaries as the viewer shows them, from the audit's summaries route (counted on the server at record time). */
import { type AuditRow, type SummaryAnswer } from "../contract/auditAnswers";

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

export function userOf(row: AuditRow): string {
  return text(row.CreatedBy) ?? text(row.CreatedByName) ?? text(row.CreatedById) ?? "(unknown user)";
}

export function printerLabel(row: AuditRow): string {
  return text(row.PrinterName) ?? text(row.PrinterId) ?? "(unknown printer)";
}

export interface Summary {
  jobs: number;
  days: string[];
  /** day -> state -> jobs */
  perDay: Map<string, Map<string, number>>;
  states: string[];
  printers: { id: string; name: string; total: number; aborted: number; canceled: number }[];
  users: { name: string; jobs: number }[];
}

/** The summaries route's answer as the charts take it (the server has counted; nothing is summed over jobs here). */
export function summaryView(answer: SummaryAnswer): Summary {
  const perDay = new Map<string, Map<string, number>>();
  for (const day of answer.days)
    perDay.set(day.day, new Map(Object.entries(day.states ?? {}).filter(([, n]) => typeof n === "number")));
  const order = (st: string): number => {
    const i = (knownStates as readonly string[]).indexOf(st);
    return i < 0 ? knownStates.length : i;
  };
  return {
    jobs: answer.jobs,
    days: answer.days.map((d) => d.day),
    perDay,
    states: [...answer.states].sort((a, b) => order(a) - order(b) || a.localeCompare(b)),
    printers: answer.printers.map((p) => ({
      id: p.printerId,
      name: p.printerName ?? p.printerId,
      total: p.jobs,
      aborted: p.aborted,
      canceled: p.canceled,
    })),
    users: answer.users.map((u) => ({ name: u.user, jobs: u.jobs })),
  };
}
