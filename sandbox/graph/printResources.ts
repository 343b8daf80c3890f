/**
 * Universal Print's resources as Graph serves them to an application: jobs of printers and shares, printers,
 * a share's printer, and the app-only limits (no listing of printers or shares).
 */
import { type TokenClaims } from "../tokens";
import { accessDenied, appOnlyNotSupported, graphError, graphHost, notFound, type Answer } from "./answers";
import { page, select } from "./odataQuery";
import { listJobs, renderJob } from "./printJobs";
import { type SimPrinter, type UniversalPrintSimulator } from "./simulator";

/** Roles that satisfy "read print jobs" and "get printer" for application callers. */
const jobRoles = [
  "PrintJob.ReadBasic.All",
  "PrintJob.Read.All",
  "PrintJob.ReadWriteBasic.All",
  "PrintJob.ReadWrite.All",
  "PrintJob.Manage.All",
];
const printerRoles = ["Printer.Read.All", "Printer.ReadWrite.All", "Printer.FullControl.All"];

function hasRoles(sim: UniversalPrintSimulator, token: TokenClaims | undefined, ...sets: string[][]): boolean {
  if (!sim.requireAuth) return true;
  return sets.every((set) => set.some((role) => token?.roles.includes(role)));
}

function renderPrinter(printer: SimPrinter | undefined, query: URLSearchParams): Answer {
  if (!printer) return notFound();
  return {
    status: 200,
    body: {
      "@odata.context": `${graphHost}/v1.0/$metadata#print/printers/$entity`,
      ...select(printer.printer, query.get("$select")),
    },
  };
}

/** GET /print/{printers|shares}/{id}/jobs[/{jobId}]: the printer's jobs, or the shared printer's. */
function getJobs(
  sim: UniversalPrintSimulator,
  [, kind, parentId, jobId]: RegExpMatchArray,
  query: URLSearchParams,
  token: TokenClaims | undefined,
): Answer {
  const printerId = kind === "printers" ? parentId! : sim.shares.get(parentId!);
  if (!hasRoles(sim, token, jobRoles, printerRoles)) return accessDenied();
  const printer = printerId ? sim.printers.get(printerId) : undefined;
  if (jobId === undefined) {
    if (!printer) return notFound();
    return listJobs([...printer.jobs.values()], kind!, parentId!, query, sim);
  }
  const job = printer?.jobs.get(jobId);
  if (!job) return notFound();
  return renderJob(job, kind!, parentId!, query);
}

/** A GET on Graph below /v1.0 that no added route answered. */
export function getPrintResource(
  sim: UniversalPrintSimulator,
  path: string,
  query: URLSearchParams,
  token: TokenClaims | undefined,
): Answer {
  let m: RegExpMatchArray | null;
  // Every simulator token is an application token (roles, no user).
  if (sim.refuseAppOnlyShareJobs && /^\/print\/shares\/[^/]+\/jobs(\/|$)/.test(path)) return accessDenied();
  if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs(?:\/([^/]+))?$/)))
    return getJobs(sim, m, query, token);
  if ((m = path.match(/^\/print\/printers\/([^/]+)$/))) {
    if (!hasRoles(sim, token, printerRoles)) return accessDenied();
    return renderPrinter(sim.printers.get(m[1]!), query);
  }
  if ((m = path.match(/^\/print\/shares\/([^/]+)\/printer$/))) {
    if (!hasRoles(sim, token, printerRoles)) return accessDenied();
    return renderPrinter(sim.printers.get(sim.shares.get(m[1]!) ?? ""), query);
  }
  if (path === "/print/printers") {
    if (!sim.allowAppOnlyPrinterListing) return appOnlyNotSupported();
    if (!hasRoles(sim, token, printerRoles)) return accessDenied();
    const all = [...sim.printers.values()].map((p) => p.printer);
    return page(all, sim, "/print/printers", query, (p) => select(p, query.get("$select")));
  }
  if (
    path === "/print/shares" ||
    /^\/print\/shares\/[^/]+$/.test(path) ||
    /^\/print\/printers\/[^/]+\/shares/.test(path)
  ) {
    return appOnlyNotSupported();
  }
  return graphError(400, "BadRequest", `Resource not found for the segment '${path.split("/").pop()}'.`);
}
