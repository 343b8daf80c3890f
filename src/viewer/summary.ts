/** Daily summaries as the viewer shows them, from the audit's summaries route (counted on the server at record time). */
import { type SummaryAnswer } from "../contract/auditAnswers";
import { knownStates } from "./rows";

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
