/**
 * Adding links to a printer's chain. The next link's number is taken by creating its row in the Integrity table
 * ("create": only one writer can take a number), built on the head it read; a writer that lost the race reads the
 * new head and tries again, so two overlapping runs never fork the chain. A link is created pending, appended to
 * the anchor, then marked anchored; a crash in between leaves it pending, and the printer's next run anchors it.
 */

import { prefixEnd } from "../keys";
import { odata, type AuditStore, type Row } from "../store";
import { anchorRecords, type EvidenceAnchor } from "./anchor";
import { type Link, type LinkEntry, linkKeyPrefix, linkRow, linkRowKey, maxEntriesPerLink, recordText } from "./links";

/** What writing evidence needs: the audit's store (the Integrity table) and the anchor. */
export interface EvidenceTarget {
  store: AuditStore;
  anchor: EvidenceAnchor;
}

/** The table prefix the store's tables share (the anchor's blobs are named with it). */
export function tablePrefixOf(store: AuditStore): string {
  return store.tables.jobs.replace(/Jobs$/, "");
}

/** A printer's newest link (its number and hash); n = 0 before the first. */
export async function chainHead(store: AuditStore, printerId: string): Promise<{ n: number; hash: string }> {
  const filter = odata`PartitionKey eq ${printerId} and RowKey ge ${linkKeyPrefix} and RowKey lt ${prefixEnd(linkKeyPrefix)}`;
  const [head] = await store.rowsWhere(store.tables.integrity, filter, ["N", "Hash"], 1);
  return head ? { n: Number(head.N), hash: String(head.Hash) } : { n: 0, hash: "" };
}

/** What a link says besides its place in the chain and its entries. */
export type LinkHeader = Pick<Link, "printer" | "run" | "kind" | "attempt">;

/** Entries of rows, sorted, cut into links' worth. */
export function entryChunks(entries: LinkEntry[]): LinkEntry[][] {
  const sorted = [...entries].sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : a[0] + a[1] > b[0] + b[1] ? 1 : 0));
  const chunks: LinkEntry[][] = [];
  for (let i = 0; i < sorted.length; i += maxEntriesPerLink) chunks.push(sorted.slice(i, i + maxEntriesPerLink));
  return chunks;
}

/** Creates one link at the head of the chain (retrying on the new head when another writer took the number). */
async function createLink(store: AuditStore, header: LinkHeader, entries: LinkEntry[], now: () => Date): Promise<Link> {
  for (;;) {
    const head = await chainHead(store, header.printer);
    const link: Link = {
      v: 1,
      type: "link",
      ...header,
      n: head.n + 1,
      prev: head.hash,
      time: now().toISOString(),
      entries,
    };
    const written = await store.createRows(store.tables.integrity, [linkRow(link, recordText(link), true) as Row]);
    if (!written.existing?.length) return link;
  }
}

/** Digests entries in links on the printer's chain, anchors them, and marks them anchored. */
export async function appendLinks(
  target: EvidenceTarget,
  header: LinkHeader,
  entries: LinkEntry[],
  now: () => Date,
): Promise<Link[]> {
  const { store, anchor } = target;
  const links: Link[] = [];
  for (const chunk of entryChunks(entries)) links.push(await createLink(store, header, chunk, now));
  if (links.length === 0) return links;
  await anchorRecords(anchor, tablePrefixOf(store), links);
  for (const link of links) await markAnchored(store, link);
  return links;
}

/** The link's row no longer pending: it is in the anchor. */
export async function markAnchored(store: AuditStore, link: Pick<Link, "printer" | "n">): Promise<void> {
  await store.mergeRow(store.tables.integrity, {
    partitionKey: link.printer,
    rowKey: linkRowKey(link.n),
    Pending: false,
  });
}
