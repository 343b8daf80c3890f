/**
 * Links of the evidence chain: one link digests the history rows one write committed, commits to the printer's
 * previous link by its hash, and is kept as JSON text twice: in the Integrity table (split over Link0, Link1, ...
 * columns, each under Table Storage's 32K-character string limit) and as one line of the anchor blob.
 */
import { createHash } from "node:crypto";
import { type FactTable } from "./facts";

/** One digested row: its table, RowKey (its printer is the link's) and leaf. */
export type LinkEntry = [table: FactTable, rowKey: string, leaf: string];

export interface Link {
  v: 1;
  type: "link";
  printer: string;
  /** The link's place in the printer's chain, from 1. */
  n: number;
  /** The hash of link n - 1 ("" for the first). */
  prev: string;
  time: string;
  run: string;
  /** commit: rows this attempt wrote; heal: rows of a run that stopped before digesting them. */
  kind: "commit" | "heal";
  /** The attempt that wrote the link (for a heal link, the healing one). */
  attempt: string;
  entries: LinkEntry[];
}

/** An attempt's opening, anchored before its first row: a heal link is accepted only for an opened run. */
export interface OpenRecord {
  v: 1;
  type: "open";
  printer: string;
  run: string;
  attempt: string;
  time: string;
}

export type AnchorRecord = Link | OpenRecord;

/** At most this many rows per link, so a link row stays well under Table Storage's 1 MiB. */
export const maxEntriesPerLink = 200;
const linkChunkChars = 30_000;
const maxLinkNumber = 999_999_999_999;

/** The JSON text of a record, its properties in a fixed order (the text is what is hashed). */
export function recordText(record: AnchorRecord): string {
  if (record.type === "open") {
    const { v, type, printer, run, attempt, time } = record;
    return JSON.stringify({ v, type, printer, run, attempt, time });
  }
  const { v, type, printer, n, prev, time, run, kind, attempt, entries } = record;
  return JSON.stringify({ v, type, printer, n, prev, time, run, kind, attempt, entries });
}

export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A link's RowKey in the Integrity table: the newest first. */
export function linkRowKey(n: number): string {
  return `link|${String(maxLinkNumber - n).padStart(12, "0")}`;
}

export const linkKeyPrefix = "link|";
export const openKeyPrefix = "open|";

export function openRowKey(run: string, attempt: string): string {
  return `${openKeyPrefix}${run}|${attempt}`;
}

/** The Integrity table row of a link: its text split over Link0..LinkN, and what queries need as columns. */
export function linkRow(
  link: Link,
  text: string,
  pending: boolean,
): Record<string, unknown> & {
  partitionKey: string;
  rowKey: string;
} {
  const row: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: link.printer,
    rowKey: linkRowKey(link.n),
    N: link.n,
    Hash: textHash(text),
    Time: link.time,
    RunId: link.run,
    Kind: link.kind,
    Pending: pending,
  };
  for (let i = 0; i * linkChunkChars < text.length; i++)
    row[`Link${i}`] = text.slice(i * linkChunkChars, (i + 1) * linkChunkChars);
  return row;
}

/** The JSON text of a link row (its Link0..LinkN columns joined). */
export function linkTextOf(row: Record<string, unknown>): string {
  let text = "";
  for (let i = 0; typeof row[`Link${i}`] === "string"; i++) text += row[`Link${i}`] as string;
  return text;
}

/** A record from its JSON text; undefined when the text is not one. */
export function parseRecord(text: string): AnchorRecord | undefined {
  try {
    const value = JSON.parse(text) as {
      v?: unknown;
      type?: unknown;
      printer?: unknown;
      n?: unknown;
      entries?: unknown;
    } | null;
    if (!value || value.v !== 1 || typeof value.printer !== "string") return undefined;
    if (value.type === "open") return value as unknown as OpenRecord;
    if (value.type === "link" && typeof value.n === "number" && Array.isArray(value.entries))
      return value as unknown as Link;
  } catch {
    // Not JSON: not a record.
  }
  return undefined;
}
