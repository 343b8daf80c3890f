/** Print jobs as Graph answers them: one job with $select and $expand, and a printer's or share's job list. */
import { type PrintJob } from "../../src/graph/types";
import { graphError, graphHost, type Answer } from "./answers";
import { page, pick, type Paging } from "./odataQuery";

/** What $select may name: printJob's properties and relationships, in the order Graph's resource page lists them. */
const printJobProperties = new Set([
  "acknowledgedDateTime",
  "configuration",
  "createdBy",
  "createdDateTime",
  "errorCode",
  "id",
  "isFetchable",
  "redirectedFrom",
  "redirectedTo",
  "status",
  "documents",
  "tasks",
]);

/** Graph's refusal of the job query's options, or undefined when it accepts them. */
function refuseJobQuery(query: URLSearchParams, inList: boolean): Answer | undefined {
  for (const name of query.keys()) {
    if (!["$select", "$expand"].includes(name) && !(inList && ["$top", "$skiptoken", "$filter"].includes(name))) {
      return graphError(400, "BadRequest", `Query option '${name}' is not allowed.`);
    }
  }
  for (const e of (query.get("$expand") ?? "").split(",").filter(Boolean)) {
    if (e !== "tasks" && e !== "documents") {
      return graphError(
        400,
        "BadRequest",
        `Could not find a property named '${e}' on type 'microsoft.graph.printJob'.`,
      );
    }
    if (inList && e === "tasks")
      return graphError(400, "BadRequest", "Expanding 'tasks' is not supported when listing print jobs.");
  }
  for (const s of (query.get("$select") ?? "").split(",").filter(Boolean)) {
    if (!printJobProperties.has(s))
      return graphError(
        400,
        "BadRequest",
        `Could not find a property named '${s}' on type 'microsoft.graph.printJob'.`,
      );
  }
  return undefined;
}

/** The job's properties the query selects, with the relationships it expands. */
function jobBody(job: PrintJob, query: URLSearchParams): Record<string, unknown> {
  const expand = (query.get("$expand") ?? "").split(",").filter(Boolean);
  const selectList = (query.get("$select") ?? "").split(",").filter(Boolean);
  const { tasks, documents, ...rest } = job;
  let out: Record<string, unknown> = selectList.length > 0 ? pick(rest, ["id", ...selectList]) : { ...rest };
  if (expand.includes("tasks")) out = { ...out, tasks: tasks ?? [] };
  if (expand.includes("documents")) out = { ...out, documents: documents ?? [] };
  return out;
}

/** GET /print/{printers|shares}/{id}/jobs/{jobId}. */
export function renderJob(job: PrintJob, parentKind: string, parentId: string, query: URLSearchParams): Answer {
  const refused = refuseJobQuery(query, false);
  if (refused) return refused;
  const context = `${graphHost}/v1.0/$metadata#print/${parentKind}('${parentId}')/jobs/$entity`;
  return { status: 200, body: { "@odata.context": context, ...jobBody(job, query) } };
}

/** GET /print/{printers|shares}/{id}/jobs: $filter on the submitter's UPN only, paged. */
export function listJobs(
  jobs: PrintJob[],
  parentKind: string,
  parentId: string,
  query: URLSearchParams,
  paging: Paging,
): Answer {
  for (const name of ["$count", "$search", "$orderby", "$skip"]) {
    if (query.has(name)) return graphError(400, "BadRequest", `Query option '${name}' is not supported.`);
  }
  const filter = query.get("$filter");
  if (filter) {
    const m = /^createdBy\/userPrincipalName eq '((?:[^']|'')*)'$/.exec(filter);
    if (!m)
      return graphError(400, "BadRequest", "Only createdBy/userPrincipalName eq '{upn}' is supported in $filter.");
    const upn = m[1]!.replace(/''/g, "'").toLowerCase();
    jobs = jobs.filter((j) => j.createdBy?.userPrincipalName?.toLowerCase() === upn);
  }
  // The query's checks do not depend on the job: check once, then render only the page's jobs (large tenants stay fast).
  const refused = refuseJobQuery(query, true);
  if (refused) return refused;
  return page(jobs, paging, `/print/${parentKind}/${parentId}/jobs`, query, (job) => jobBody(job, query));
}
