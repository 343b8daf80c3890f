/**
 * The check itself, a pure function of what was read: the anchor's records (the truth), the history rows of the
 * range, and the Integrity table's links. Mirrored by scripts/verify-evidence.mjs for auditors (without the
 * table links and open runs, which an evidence pack does not need).
 */
import { timeOfInverted } from "../keys";
import { type AnchoredRecord } from "./anchor";
import { factLeaf, type FactTable } from "./facts";
import { type Link, linkRowKey, textHash } from "./links";

export type FindingKind = "altered" | "missing" | "unexpected";

export interface IntegrityFinding {
  kind: FindingKind;
  table: string;
  partitionKey: string;
  rowKey: string;
}

export interface CheckInput {
  records: readonly AnchoredRecord[];
  /** The history rows of the range, each with the table it was read from. */
  rows: readonly { table: FactTable; row: Record<string, unknown> }[];
  /** The actual names of the tables, as findings name them. */
  tableNames: Record<FactTable | "integrity", string>;
  /** Jobs created from fromMs (inclusive) to toMs (exclusive). */
  fromMs: number;
  toMs: number;
  /** The anchor was read from this instant on. */
  windowStartMs: number;
  nowMs: number;
  retentionDays: number;
  /** Runs being written now (printer|run): their rows not yet in a link are not accused. */
  openRuns?: ReadonlySet<string>;
}

export interface CheckResult {
  rowsChecked: number;
  findings: IntegrityFinding[];
  linksChecked: number;
  rowsRemovedByRetention: number;
  rowsBeingWritten: number;
  /** Valid anchored links by printer|n, each distinct text once. */
  links: Map<string, { link: Link; hash: string }[]>;
}

/** How long before a heal link its run's open record may lie: further back, the window cannot tell. */
const openLookbackMs = 7 * 86_400_000;

/** The anchored links, deduplicated; heal links of runs never opened are left out (their rows are then unexpected). */
export function anchoredLinks(
  records: readonly AnchoredRecord[],
  windowStartMs: number,
): Map<string, { link: Link; hash: string }[]> {
  const opened = new Set<string>();
  for (const { record } of records) if (record.type === "open") opened.add(`${record.printer}|${record.run}`);
  const links = new Map<string, { link: Link; hash: string }[]>();
  for (const { record, text } of records) {
    if (record.type !== "link") continue;
    const unprovable = Date.parse(record.time) - openLookbackMs < windowStartMs;
    if (record.kind === "heal" && !opened.has(`${record.printer}|${record.run}`) && !unprovable) continue;
    const key = `${record.printer}|${record.n}`;
    const hash = textHash(text);
    const list = links.get(key) ?? [];
    if (!list.some((l) => l.hash === hash)) list.push({ link: record, hash });
    links.set(key, list);
  }
  return links;
}

/** Chains: each link but a printer's first in the window follows an anchored link whose hash is its prev. */
function chainFindings(links: Map<string, { link: Link; hash: string }[]>, integrity: string): IntegrityFinding[] {
  const first = new Map<string, number>();
  for (const list of links.values())
    for (const { link } of list) first.set(link.printer, Math.min(first.get(link.printer) ?? Infinity, link.n));
  const findings: IntegrityFinding[] = [];
  for (const list of links.values()) {
    for (const { link } of list) {
      if (link.n <= (first.get(link.printer) ?? 0)) continue;
      const before = links.get(`${link.printer}|${link.n - 1}`) ?? [];
      if (!before.some((b) => b.hash === link.prev))
        findings.push({
          kind: "missing",
          table: integrity,
          partitionKey: link.printer,
          rowKey: linkRowKey(link.n - 1),
        });
    }
  }
  return findings;
}

/** Recomputes every row's leaf and compares it with the anchored links. */
export function checkEvidence(input: CheckInput): CheckResult {
  const { tableNames } = input;
  const links = anchoredLinks(input.records, input.windowStartMs);
  const findings = chainFindings(links, tableNames.integrity);
  const expected = new Map<string, Set<string>>();
  for (const list of links.values())
    for (const { link } of list)
      for (const [table, rowKey, leaf] of link.entries) {
        const key = `${table}|${link.printer}|${rowKey}`;
        expected.set(key, (expected.get(key) ?? new Set()).add(leaf));
      }
  const result: CheckResult = {
    rowsChecked: 0,
    findings,
    linksChecked: [...links.values()].reduce((n, list) => n + list.length, 0),
    rowsRemovedByRetention: 0,
    rowsBeingWritten: 0,
    links,
  };
  const seen = new Set<string>();
  for (const { table, row } of input.rows) {
    const partitionKey = String(row.partitionKey);
    const rowKey = String(row.rowKey);
    const key = `${table}|${partitionKey}|${rowKey}`;
    seen.add(key);
    result.rowsChecked++;
    const leaves = expected.get(key);
    const finding = { table: tableNames[table], partitionKey, rowKey };
    if (leaves) {
      if (!leaves.has(factLeaf(table, row))) findings.push({ kind: "altered", ...finding });
    } else if (input.openRuns?.has(`${partitionKey}|${String(row.RunId)}`)) result.rowsBeingWritten++;
    else findings.push({ kind: "unexpected", ...finding });
  }
  const retentionCutoffMs = input.nowMs - input.retentionDays * 86_400_000;
  for (const key of expected.keys()) {
    if (seen.has(key)) continue;
    const [table, partitionKey, ...rest] = key.split("|");
    const rowKey = rest.join("|");
    const createdMs = timeOfInverted(rowKey.slice(0, 13));
    if (createdMs < input.fromMs || createdMs >= input.toMs) continue;
    if (createdMs < retentionCutoffMs) result.rowsRemovedByRetention++;
    else findings.push({ kind: "missing", table: tableNames[table as FactTable], partitionKey: partitionKey!, rowKey });
  }
  return result;
}
