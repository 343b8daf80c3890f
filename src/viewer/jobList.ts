/** The job list (#/jobs): the filter's jobs a page at a time, each in its latest state, newest first. */
import { type AuditRow } from "../contract/auditAnswers";
import { visibleText } from "../contract/visibleText";
import { listLatestJobs } from "./api";
import { badge, columnHeads, userCell } from "./cells";
import { h, replace, type Child } from "./dom";
import { filterIsEmpty, filterQuery, learn, scopeText } from "./filters";
import { encodeComponent, pageCount, timeElement, timeZone } from "./format";
import { errorCodeLine } from "./graphWords";
import { loadListView } from "./listView";
import { nextRunText } from "./nextRun";
import { printerLabel, stateOf, text } from "./rows";
import { setStatus } from "./shell";
import { state } from "./state";

/** The audit writes a row only when a job changes: the latest row's time is when it saw the latest change, not its last look. */
const lastChangeSeen = "Last change seen";
const lastChangeSeenMeaning =
  "When the audit first saw the job as it is now. The audit records a job again only when it changes, so a job checked since without a change keeps this time.";

/** What the list offers that starts the view over: main.ts's routing does it. */
export interface JobListActions {
  clearFilters: () => void;
  refresh: () => void;
}

/**
 * Page `page` of the filter's jobs (0-based), asking the server for the pages before it that this tab has
 * not seen yet (an address such as #/jobs?page=3 opened afresh); past the last page, the last page.
 */
async function loadPage(page: number): Promise<{ index: number; rows: AuditRow[]; next?: string }> {
  const key = JSON.stringify({ filter: state.filter, top: state.top });
  if (state.pages?.key !== key) state.pages = { key, pages: [] };
  const cache = state.pages;
  while (cache.pages.length <= page) {
    const last = cache.pages.at(-1);
    if (last && last.next === undefined) break;
    const fetched = await listLatestJobs(state.filter, { top: state.top, continuationToken: last?.next });
    learn(fetched.value);
    cache.pages.push({ rows: fetched.value, next: fetched.continuationToken });
  }
  const index = Math.min(page, cache.pages.length - 1);
  return { index, ...cache.pages[index]! };
}

function jobLink(row: AuditRow): Child {
  const printerId = text(row.PrinterId);
  const jobId = text(row.JobId);
  if (!printerId || !jobId) return jobId ?? "—";
  return h(
    "a",
    {
      href: `#/job/${encodeComponent(printerId)}/${encodeComponent(jobId)}`,
      "aria-label": `Job ${jobId} on ${printerLabel(row)}: timeline`,
    },
    jobId,
  );
}

/** A table cell labelled for the narrow-screen card layout; its content in one box. */
function cell(label: string, className: string | null, ...content: Child[]): HTMLTableCellElement {
  return h("td", { "data-label": label, class: className }, h("div", {}, ...content));
}

function jobRow(row: AuditRow): HTMLTableRowElement {
  const stateName = stateOf(row);
  const pages = pageCount(row.PageRanges);
  const errorCode = text(row.ErrorCode);
  const pagesCell = cell("Pages", "num", pages ?? "—");
  if (text(row.PageRanges)) pagesCell.title = visibleText(`pages ${text(row.PageRanges)}`);
  return h(
    "tr",
    {},
    cell("Created", null, timeElement(row.CreatedDateTime)),
    cell("Job", null, jobLink(row)),
    cell("Printer", null, printerLabel(row)),
    cell("User", null, userCell(row)),
    cell(
      "State",
      null,
      badge(stateName),
      errorCode ? errorCodeLine(errorCode) : null,
      text(row.RedirectedTo) ? h("span", { class: "sub" }, "redirected to another printer") : null,
      text(row.RedirectedFrom) ? h("span", { class: "sub" }, "redirected here") : null,
    ),
    cell("Copies", "num", text(row.Copies) ?? "—"),
    pagesCell,
    cell(lastChangeSeen, null, timeElement(row.ObservedDateTime)),
  );
}

function emptyJobs(clearFilters: () => void): HTMLElement {
  if (filterIsEmpty()) {
    return h(
      "div",
      { class: "panel empty" },
      h("h3", {}, "No print jobs have been audited yet"),
      h("p", {}, nextRunText() || "The audit records jobs on its timer schedule."),
      h(
        "p",
        {},
        "Jobs appear here after a run that found print jobs on the audited printers. If runs pass and nothing appears, check the audit's printers (AUDIT_PRINTER_IDS or AUDIT_DISCOVER_PRINTERS) and the app's logs.",
      ),
    );
  }
  return h(
    "div",
    { class: "panel empty" },
    h("h3", {}, "No jobs match these filters"),
    h(
      "p",
      {},
      "Widen the date range, pick another state or printer, or check the user's sign-in name (for example pat.kim@contoso.com).",
    ),
    h("p", {}, h("button", { type: "button", onclick: clearFilters }, "Clear all filters")),
  );
}

function jobsTable(rows: AuditRow[]): HTMLTableElement {
  const heads = columnHeads(
    ["Created", "Job", "Printer (at job time)", "User", "State", "Copies", "Pages", lastChangeSeen],
    (i) => i === 5 || i === 6,
  );
  heads.querySelector("th:last-child")?.setAttribute("title", lastChangeSeenMeaning);
  return h(
    "table",
    { id: "jobs-table", class: "cards", tabindex: "-1", "data-scope": scopeText() },
    h(
      "caption",
      { class: "muted" },
      `Each job in its latest state, newest first. Times in ${timeZone}; hover a time for UTC.`,
    ),
    heads,
    h("tbody", {}, rows.map(jobRow)),
  );
}

function goToPage(page: number): void {
  if (page < 0) return;
  state.focusAfterPaging = page > state.page ? "older" : "newer";
  location.hash = `#/jobs${filterQuery(page)}`;
}

function pager(last: boolean, range: string, refresh: () => void): HTMLElement {
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages of jobs" },
    h(
      "button",
      { type: "button", id: "newer", disabled: state.page === 0, onclick: () => goToPage(state.page - 1) },
      "← Newer",
    ),
    h("span", { id: "page-number" }, last ? `Page ${state.page + 1} of ${state.page + 1}` : `Page ${state.page + 1}`),
    h("span", { id: "page-range", class: "muted" }, `jobs ${range}`),
    h("button", { type: "button", id: "older", disabled: last, onclick: () => goToPage(state.page + 1) }, "Older →"),
    h("button", { type: "button", id: "refresh", onclick: refresh }, "Refresh"),
  );
}

/** Shows the page of jobs loaded: the table and the pager, or what to do when there are none. */
function showJobs(body: HTMLElement, loaded: { rows: AuditRow[]; next?: string }, actions: JobListActions): void {
  const rows = loaded.rows;
  if (rows.length === 0) {
    replace(body, emptyJobs(actions.clearFilters));
    setStatus("");
    return;
  }
  // Pages may be short (the API answers within its time budget): count the rows of the pages before.
  const first = (state.pages?.pages ?? []).slice(0, state.page).reduce((n, p) => n + p.rows.length, 0);
  const last = loaded.next === undefined;
  const range = `${first + 1}–${first + rows.length}${last ? ` of ${first + rows.length}` : ""}`;
  replace(body, h("div", { class: "table-wrap" }, jobsTable(rows)), pager(last, range, actions.refresh));
  // For npm run bench: when the first job table was on screen, after navigation start.
  if (performance.getEntriesByName("viewer:first-table").length === 0) performance.mark("viewer:first-table");
  // The pager says which jobs these are; the status line would only say it again.
  setStatus("");
}

export function renderJobs(actions: JobListActions): Promise<void> {
  return loadListView(
    "jobs",
    "Loading jobs…",
    () => loadPage(state.page),
    (body, loaded) => {
      state.page = loaded.index;
      showJobs(body, loaded, actions);
    },
    () => void renderJobs(actions),
  );
}

/** After a page change, the focus goes back to the pager button used (or the other one, or the table). */
export function focusPager(): void {
  const wanted = state.focusAfterPaging;
  state.focusAfterPaging = undefined;
  if (!wanted) return;
  const button = document.getElementById(wanted) as HTMLButtonElement | null;
  const other = document.getElementById(wanted === "older" ? "newer" : "older") as HTMLButtonElement | null;
  const target =
    button && !button.disabled ? button : other && !other.disabled ? other : document.getElementById("jobs-table");
  target?.focus();
}
