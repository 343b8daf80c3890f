/**
 * The audit read API, called from the browser with whatever access the viewer has: the App Service
 * sign-in cookie (same origin) and, when the app uses function keys, the key in the x-functions-key
 * header. The key lives in sessionStorage only and never goes into a URL or a log.
 */
import { type AuditRow, type HistoryPage, type JobTimeline, type SummaryAnswer } from "../contract/auditAnswers";
import { type ErrorBody } from "../contract/errorBody";

export interface JobFilter {
  printerId?: string;
  /** ISO instants (UTC). */
  from?: string;
  to?: string;
  state?: string;
  user?: string;
}

const keyName = "printAudit.functionKey";

export const keyStore = {
  get(): string | undefined {
    try {
      return sessionStorage.getItem(keyName) ?? undefined;
    } catch {
      return undefined;
    }
  },
  set(key: string): void {
    sessionStorage.setItem(keyName, key);
  },
  clear(): void {
    sessionStorage.removeItem(keyName);
  },
};

/** A failed call, with what the person at the screen can do about it. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The API's base path from the page's own: /api/audit/ui -> /api. */
export function apiBase(pathname = location.pathname): string {
  const m = /^(.*?)\/audit\/ui\/?$/i.exec(pathname);
  return m ? m[1]! : "/api";
}

/** A query string of the options given (none: ""); options without a value are left out. */
function queryText(options: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options)) if (value !== undefined && value !== "") params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function query(filter: JobFilter, extra: Record<string, string | undefined>): string {
  const { printerId, from, to, state, user } = filter;
  return queryText({ printerId, from, to, state, user, ...extra });
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = `http${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  let requestId = response.headers.get("x-request-id") ?? undefined;
  try {
    const body = (await response.json()) as { error?: Partial<ErrorBody["error"]> };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
    requestId = body?.error?.requestId ?? requestId;
  } catch {
    // The host's own 401/403 answers have no body.
  }
  return new ApiError(response.status, code, message, requestId);
}

async function call(path: string, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  const key = keyStore.get();
  if (key) headers["x-functions-key"] = key;
  let response: Response;
  try {
    response = await fetch(`${apiBase()}${path}`, {
      headers,
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    throw new ApiError(
      0,
      "network",
      "The app could not be reached, or its sign-in has expired. Check the connection and reload the page to sign in again.",
    );
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/**
 * One page of the filter's jobs, each once in its latest recorded state, newest job first across printers
 * (`GET /audit/jobs?latest=true`); the token fetches the next page. The one place the viewer depends on
 * how the jobs API pages latest states.
 */
export async function listLatestJobs(
  filter: JobFilter,
  options: { top: number; continuationToken?: string },
): Promise<HistoryPage> {
  const response = await call(
    `/audit/jobs${query(filter, { latest: "true", top: String(options.top), continuationToken: options.continuationToken })}`,
    "application/json",
  );
  const body = (await response.json()) as Partial<HistoryPage>;
  return { value: Array.isArray(body.value) ? body.value : [], continuationToken: body.continuationToken || undefined };
}

/** Daily summaries of whole UTC days (YYYY-MM-DD; the route's default is the last 31 days), every printer or one. */
export async function getSummaries(range: { from?: string; to?: string; printerId?: string }): Promise<SummaryAnswer> {
  const response = await call(`/audit/summaries${queryText(range)}`, "application/json");
  const body = (await response.json()) as Partial<SummaryAnswer>;
  return {
    from: String(body.from ?? ""),
    to: String(body.to ?? ""),
    timeZone: "UTC",
    jobs: Number(body.jobs ?? 0),
    states: Array.isArray(body.states) ? body.states.map(String) : [],
    days: Array.isArray(body.days) ? body.days : [],
    printers: Array.isArray(body.printers) ? body.printers : [],
    users: Array.isArray(body.users) ? body.users : [],
    usersRecorded: body.usersRecorded !== false,
  };
}

export async function getJobTimeline(printerId: string, jobId: string): Promise<JobTimeline> {
  const response = await call(
    `/audit/printers/${encodeURIComponent(printerId)}/jobs/${encodeURIComponent(jobId)}`,
    "application/json",
  );
  const body = (await response.json()) as Partial<JobTimeline>;
  const states: AuditRow[] = Array.isArray(body.states) ? body.states : [];
  return {
    printerId: body.printerId ?? printerId,
    jobId: body.jobId ?? jobId,
    printerName: body.printerName ?? null,
    // Without its current row, the job is as its last recorded state shows it.
    current: body.current ?? states.at(-1) ?? {},
    states,
    tasks: Array.isArray(body.tasks) ? body.tasks : [],
  };
}

export interface CsvFile {
  blob: Blob;
  fileName: string;
  /** The export stopped at the API's row limit: narrow the filter. */
  truncated: boolean;
}

export async function downloadCsv(filter: JobFilter): Promise<CsvFile> {
  const response = await call(`/audit/jobs${query(filter, { format: "csv" })}`, "text/csv");
  const named = /filename="?([^";]+)"?/i.exec(response.headers.get("content-disposition") ?? "");
  return {
    blob: await response.blob(),
    fileName: named?.[1] ?? `print-audit-${new Date().toISOString().slice(0, 10)}.csv`,
    truncated: response.headers.get("x-audit-truncated") === "true",
  };
}
