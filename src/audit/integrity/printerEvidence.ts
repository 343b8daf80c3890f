/**
 * The evidence one attempt of a printer's run writes: it heals what earlier attempts left (healing.ts), opens
 * itself before its first history row (a marker in the Integrity table and an `open` line in the anchor), seals
 * each write's rows in links (chain.ts), and closes when it succeeded. See docs/integrity.md for why each step
 * sits where it does.
 */
import { randomBytes } from "node:crypto";

import { odata, type Row } from "../store";
import { anchorRecords } from "./anchor";
import { appendLinks, tablePrefixOf, type EvidenceTarget } from "./chain";
import { writtenLeaf, type FactTable } from "./facts";
import { healPrinter, type HealResult } from "./healing";
import { openRowKey, type LinkEntry, type OpenRecord } from "./links";

export interface PrinterEvidenceOptions {
  printerId: string;
  runId: string;
  /** Names this attempt (random unless given): an attempt's marker and links say which attempt wrote them. */
  attempt?: string;
  now?: () => Date;
}

/** A history row one write created, and the table it went to. */
export interface CommittedRow {
  table: FactTable;
  row: Row;
}

export class PrinterEvidence {
  readonly attempt: string;
  private readonly now: () => Date;
  private opened: Promise<void> | undefined;

  constructor(
    private readonly target: EvidenceTarget,
    private readonly options: PrinterEvidenceOptions,
  ) {
    this.attempt = options.attempt ?? randomBytes(6).toString("hex");
    this.now = options.now ?? (() => new Date());
  }

  /** Before anything else: anchors links left pending and digests the rows of runs that stopped before theirs. */
  async heal(): Promise<HealResult> {
    return healPrinter(this.target, { printerId: this.options.printerId, ownAttempt: this.attempt, now: this.now });
  }

  /** Before the attempt's first history row (once): its marker, then its `open` line in the anchor. */
  async beforeHistory(): Promise<void> {
    this.opened ??= this.open();
    this.opened.catch(() => (this.opened = undefined));
    await this.opened;
  }

  private async open(): Promise<void> {
    const { store, anchor } = this.target;
    const { printerId, runId } = this.options;
    const time = this.now().toISOString();
    const rowKey = openRowKey(runId, this.attempt);
    await store.createRows(store.tables.integrity, [
      {
        partitionKey: printerId,
        rowKey,
        RunId: runId,
        Attempt: this.attempt,
        Time: time,
        Pending: true,
        Anchored: false,
      },
    ]);
    const record: OpenRecord = { v: 1, type: "open", printer: printerId, run: runId, attempt: this.attempt, time };
    await anchorRecords(anchor, tablePrefixOf(store), [record]);
    await store.mergeRow(store.tables.integrity, { partitionKey: printerId, rowKey, Anchored: true });
  }

  /** After a write of history rows: the rows this attempt created, digested in links on the printer's chain. */
  async seal(rows: readonly CommittedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const entries: LinkEntry[] = rows.map(({ table, row }) => [table, row.rowKey, writtenLeaf(table, row)]);
    const { printerId, runId } = this.options;
    await appendLinks(
      this.target,
      { printer: printerId, run: runId, kind: "commit", attempt: this.attempt },
      entries,
      this.now,
    );
  }

  /** When the attempt succeeded: its marker goes (every row it wrote is in a link). */
  async close(): Promise<void> {
    if (!this.opened) return;
    const { store } = this.target;
    const rowKey = openRowKey(this.options.runId, this.attempt);
    await store.deleteWhere(
      store.tables.integrity,
      odata`PartitionKey eq ${this.options.printerId} and RowKey eq ${rowKey}`,
    );
  }
}
