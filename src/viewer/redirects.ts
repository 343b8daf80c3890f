/** Jobs redirected between printers: the recorded Graph links as links to the other job's view, named by printer. */
import { type JobTimeline } from "../contract/auditAnswers";
import { getJobTimeline } from "./api";
import { h, type Child } from "./dom";
import { decodeComponent, encodeComponent } from "./format";
import { text } from "./rows";
import { state } from "./state";

interface JobRef {
  printerId: string;
  jobId: string;
}

function graphJobRef(url: string | undefined): JobRef | undefined {
  const m = url ? /\/printers\/([^/]+)\/jobs\/([^/?#]+)/.exec(url) : null;
  return m ? { printerId: decodeComponent(m[1]!), jobId: decodeComponent(m[2]!) } : undefined;
}

export function redirectLink(url: string | undefined): Child {
  const ref = graphJobRef(url);
  if (!ref) return url ?? "—";
  const name = state.printers.get(ref.printerId) ?? ref.printerId;
  return h(
    "a",
    { href: `#/job/${encodeComponent(ref.printerId)}/${encodeComponent(ref.jobId)}` },
    "job ",
    ref.jobId,
    " on ",
    name,
  );
}

/** Names the printers a job was redirected to or from, when this page has not seen them yet (opened straight on a job). */
export async function nameRedirectPrinters(history: JobTimeline): Promise<void> {
  const refs = history.states
    .flatMap((row) => [text(row.RedirectedTo), text(row.RedirectedFrom)])
    .map(graphJobRef)
    .filter((ref): ref is JobRef => ref !== undefined && !state.printers.has(ref.printerId));
  await Promise.all(
    refs.map(async (ref) => {
      try {
        const other = await getJobTimeline(ref.printerId, ref.jobId);
        if (other.printerName) state.printers.set(ref.printerId, other.printerName);
      } catch {
        // Unnamed, the link still shows the printer id.
      }
    }),
  );
}
