import { type PrintJobExpansion } from "../graph/client";
import { type PrintJobRef } from "../graph/paths";
import { InputError } from "../errors";
import { assertQueryAllowed, parseJobId, parsePrinterId, parseShareId, shown, single } from "../validation";

/** A $select item is a plain property name: no paths, no functions, no annotations. */
const propertyPattern = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const expansions: readonly PrintJobExpansion[] = ["tasks", "documents"];
const maxSelect = 30;

/** The query options a get-job request takes (besides `code`, the function key). */
const printJobOptions = ["$select", "$expand"];

export interface PrintJobRequest {
  ref: PrintJobRef;
  select?: string[];
  expand?: PrintJobExpansion[];
}

/** The job a route names: through its printer or through a printer share. */
export function parsePrintJobRef(
  parent: "printer" | "share",
  params: Readonly<Record<string, string | undefined>>,
): PrintJobRef {
  const jobId = parseJobId(params.jobId);
  return parent === "printer"
    ? { printerId: parsePrinterId(params.printerId), jobId }
    : { shareId: parseShareId(params.shareId), jobId };
}

export function parseSelect(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === "")) {
    throw new InputError(
      "$select",
      "$select must be a comma-separated list of property names, such as id,status,createdBy.",
    );
  }
  if (items.length > maxSelect) throw new InputError("$select", `$select may name at most ${maxSelect} properties.`);
  const bad = items.find((s) => !propertyPattern.test(s));
  if (bad !== undefined) {
    throw new InputError(
      "$select",
      `$select items must be plain property names (no paths or expressions); ${shown(bad)} is not one.`,
    );
  }
  return [...new Set(items)];
}

export function parseExpand(raw: string | undefined): PrintJobExpansion[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((s) => s.trim());
  const bad = items.find((s) => !(expansions as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new InputError(
      "$expand",
      `$expand may be tasks, documents, or both (tasks,documents); ${shown(bad)} is not supported.`,
    );
  }
  return [...new Set(items)] as PrintJobExpansion[];
}

/** Refuses any query option but $select, $expand and the function key, naming the first that is not. */
export function assertPrintJobQueryAllowed(query: URLSearchParams): void {
  assertQueryAllowed(query, printJobOptions);
}

/** Validates a get-job request completely before anything is sent to Graph. */
export function parsePrintJobRequest(
  parent: "printer" | "share",
  params: Readonly<Record<string, string | undefined>>,
  query: URLSearchParams,
): PrintJobRequest {
  const ref = parsePrintJobRef(parent, params);
  assertPrintJobQueryAllowed(query);
  return { ref, select: parseSelect(single(query, "$select")), expand: parseExpand(single(query, "$expand")) };
}
