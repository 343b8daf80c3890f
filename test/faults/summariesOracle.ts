/**
 * The daily summaries' oracle for the fault suites: each job's latest recorded observation in the history
 * (Azurite's rows), counted by created UTC day and state. The summaries the route reads, and the rows the
 * recorder left fresh, must equal it after any crash and redelivery.
 */
import { TableClient } from "@azure/data-tables";
import { AuditStore } from "../../src/audit/store";
import { dayRowKey, summaryOfRow } from "../../src/audit/summaries";
import { readSummaries } from "../../src/audit/read";
import { readTable, type AuditWorld } from "./auditHarness";

type DayCounts = Record<string, Record<string, number>>;
interface HistoryRow {
  JobId: string;
  Sequence: number;
  ObservedDateTime: string;
  CreatedDateTime: string;
  JobState: string;
}

const privacy = { redactUsers: "none" as const, omitDocumentNames: false, hashSalt: "" };

function storeOf(world: AuditWorld, prefix: string): AuditStore {
  return new AuditStore(prefix, (name) =>
    TableClient.fromConnectionString(world.azurite.connectionString, name, { allowInsecureConnection: true }),
  );
}

/** Each job's latest recorded observation, counted by created UTC day and state. */
async function scan(world: AuditWorld, prefix: string): Promise<DayCounts> {
  const latest = new Map<string, HistoryRow>();
  for (const row of (await readTable(world, prefix, "Jobs")) as HistoryRow[]) {
    const seen = latest.get(row.JobId);
    if (
      !seen ||
      row.Sequence > seen.Sequence ||
      (row.Sequence === seen.Sequence && row.ObservedDateTime > seen.ObservedDateTime)
    )
      latest.set(row.JobId, row);
  }
  const days: DayCounts = {};
  for (const row of latest.values()) {
    const day = String(row.CreatedDateTime).slice(0, 10);
    days[day] ??= {};
    days[day][row.JobState] = (days[day][row.JobState] ?? 0) + 1;
  }
  return days;
}

const sorted = (o: DayCounts): string =>
  JSON.stringify(
    Object.entries(o)
      .sort()
      .map(([d, st]) => [d, Object.entries(st).sort()]),
  );

/** What is wrong with one table set's summaries between `from` and `to` (nothing, when they hold). */
export async function summariesProblems(
  world: AuditWorld,
  prefix: string,
  range: { from: string; to: string },
): Promise<string[]> {
  const problems: string[] = [];
  const oracle = await scan(world, prefix);
  // Rows the recorder left fresh must already be exact; rows left marked are recomputed by the read below.
  const stored = await readTable(world, prefix, "Summaries");
  for (const row of stored.filter((r) => r.Dirty !== true && r.rowKey !== dayRowKey)) {
    const s = summaryOfRow(row);
    if (sorted({ [s.day]: s.states }) !== sorted({ [s.day]: oracle[s.day] ?? {} }))
      problems.push(`summary row ${s.day}: ${JSON.stringify(s.states)} vs scan ${JSON.stringify(oracle[s.day])}`);
  }
  // Three reads: the first repairs what was left marked, the second fills the day rows, the third reads them.
  for (let i = 0; i < 3; i++) {
    const answer = await readSummaries(storeOf(world, prefix), { ...range, top: 10 }, privacy);
    const read = Object.fromEntries(answer.days.filter((d) => d.jobs > 0).map((d) => [d.day, d.states]));
    if (sorted(read) !== sorted(oracle))
      problems.push(`summaries read ${i + 1}: ${sorted(read)} vs scan ${sorted(oracle)}`);
  }
  return problems;
}
