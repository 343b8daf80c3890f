/**
 * The anchor: the evidence's copy nobody can rewrite. Records are lines of JSON appended to append blobs, one
 * blob per UTC hour (<prefix>/<yyyy-mm-dd>/<hh>.jsonl), in a container under a time-based immutability policy.
 * The app only creates blobs (If-None-Match: *) and appends to them; it never overwrites or deletes one.
 */
import { type AnchorRecord, parseRecord, recordText } from "./links";

/** The blob operations the evidence needs: create-and-append, list, read. blobAnchor.ts implements them over Blob Storage. */
export interface EvidenceAnchor {
  /** Appends text (whole lines) to the blob, creating it first if it does not exist. */
  append(blobName: string, text: string): Promise<void>;
  /** The names of the blobs under a prefix. */
  list(prefix: string): Promise<string[]>;
  read(blobName: string): Promise<string>;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The blob of the hour an instant falls in. */
export function anchorBlobName(tablePrefix: string, time: string): string {
  const iso = new Date(time).toISOString();
  return `${tablePrefix}/${iso.slice(0, 10)}/${iso.slice(11, 13)}.jsonl`;
}

/** Appends records to the anchor, grouped by the hour blob each belongs in (one append per blob). */
export async function anchorRecords(
  anchor: EvidenceAnchor,
  tablePrefix: string,
  records: readonly AnchorRecord[],
): Promise<void> {
  const byBlob = new Map<string, string>();
  for (const record of records) {
    const name = anchorBlobName(tablePrefix, record.time);
    byBlob.set(name, (byBlob.get(name) ?? "") + `${recordText(record)}\n`);
  }
  for (const [name, text] of byBlob) await anchor.append(name, text);
}

/** One anchored record and its exact text (what its hash is computed over). */
export interface AnchoredRecord {
  record: AnchorRecord;
  text: string;
  blob: string;
}

/** Every record anchored from `fromMs` (its hour) to `toMs`, in blob order; lines that are not records are counted. */
export async function readAnchor(
  anchor: EvidenceAnchor,
  tablePrefix: string,
  fromMs: number,
  toMs: number,
): Promise<{ records: AnchoredRecord[]; unreadableLines: number; blobsRead: number }> {
  const records: AnchoredRecord[] = [];
  let unreadableLines = 0;
  let blobsRead = 0;
  const firstHour = Math.floor(fromMs / hourMs) * hourMs;
  for (let day = Math.floor(fromMs / dayMs) * dayMs; day <= toMs; day += dayMs) {
    const dayPrefix = `${tablePrefix}/${new Date(day).toISOString().slice(0, 10)}/`;
    for (const name of (await anchor.list(dayPrefix)).sort()) {
      const hour = Date.parse(
        `${dayPrefix.slice(tablePrefix.length + 1, -1)}T${name.slice(dayPrefix.length, dayPrefix.length + 2)}:00:00Z`,
      );
      if (!(hour >= firstHour) || hour > toMs) continue;
      blobsRead++;
      for (const line of (await anchor.read(name)).split("\n")) {
        if (line.trim() === "") continue;
        const record = parseRecord(line);
        if (record) records.push({ record, text: line, blob: name });
        else unreadableLines++;
      }
    }
  }
  return { records, unreadableLines, blobsRead };
}
