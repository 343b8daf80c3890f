/**
 * The Table filter of a feed read, held to the service's limit of 15 comparisons in one $filter
 * (https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities). The position range
 * always goes to the service; the printer, the user and the states follow while they fit, and what does not
 * fit is checked on the rows the service returns, so every combination of options is a query Azure answers.
 */
import { type PrivacySettings } from "../snapshot";
import { odata, type StoredRow } from "../store";
import { userColumnsFilter, userFilterValues } from "../privacy";
import { partitionOf } from "./eventRows";
import { type EventCursor } from "./cursors";

/** "No more than 15 discrete comparisons are permitted within a $filter string." */
export const maxFilterComparisons = 15;

export interface EventFilter {
  printerId?: string;
  /** Any of these states (exact text). */
  states?: readonly string[];
  /** UPN or user id, as the history's user filter takes it. */
  user?: string;
}

/** A feed read: the filter the service evaluates, and the rest, checked on each row it returns. */
export interface FeedQuery {
  filter: string;
  comparisons: number;
  keep: (row: StoredRow) => boolean;
}

interface Clause {
  comparisons: number;
  text: string;
  keep: (row: StoredRow) => boolean;
}

/** The option clauses, most selective first: a printer, a person (2 comparisons a spelling), the states. */
function optionClauses(filter: EventFilter, privacy: PrivacySettings): Clause[] {
  const clauses: Clause[] = [];
  const { printerId, states, user } = filter;
  if (printerId)
    clauses.push({ comparisons: 1, text: odata`PrinterId eq ${printerId}`, keep: (r) => r.PrinterId === printerId });
  if (user !== undefined) {
    const values = userFilterValues(user, privacy);
    clauses.push({
      comparisons: 2 * values.length,
      text: `(${userColumnsFilter(values)})`,
      keep: (r) => values.includes(r.CreatedBy as string) || values.includes(r.CreatedById as string),
    });
  }
  if (states && states.length > 0)
    clauses.push({
      comparisons: states.length,
      text: `(${states.map((s) => odata`JobState eq ${s}`).join(" or ")})`,
      keep: (r) => states.includes(r.JobState as string),
    });
  return clauses;
}

/** The feed read between two positions: at most 15 comparisons sent, the remainder kept for the rows. */
export function eventFilter(
  from: EventCursor | undefined,
  upperKey: string,
  filter: EventFilter,
  privacy: PrivacySettings,
): FeedQuery {
  const parts: string[] = [];
  if (from) {
    parts.push(odata`PartitionKey ge ${partitionOf(from.key)}`);
    parts.push(from.inclusive ? odata`RowKey ge ${from.key}` : odata`RowKey gt ${from.key}`);
  }
  parts.push(odata`PartitionKey le ${partitionOf(upperKey)}`, odata`RowKey lt ${upperKey}`);
  let comparisons = parts.length;
  const inMemory: ((row: StoredRow) => boolean)[] = [];
  for (const clause of optionClauses(filter, privacy)) {
    if (comparisons + clause.comparisons <= maxFilterComparisons) {
      parts.push(clause.text);
      comparisons += clause.comparisons;
    } else inMemory.push(clause.keep);
  }
  return { filter: parts.join(" and "), comparisons, keep: (row) => inMemory.every((keep) => keep(row)) };
}
