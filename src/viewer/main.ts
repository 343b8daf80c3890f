/**
 * The audit viewer: filters, a paged job table, a job's timeline and daily summaries, all drawn from
 * the audit read API. Routes live in the fragment (#/jobs, #/summary, #/job/<printerId>/<jobId>),
 * which never reaches a server.
 */
import { type AuditRow, type JobTimeline } from "../contract/auditAnswers";
import { visibleText } from "../contract/visibleText";
import { ApiError, downloadCsv, getJobTimeline, getSummaries, keyStore, listLatestJobs, type JobFilter } from "./api";
import { figure, horizontalBars, legend, stackedDays } from "./charts";
import { byId, h, replace, type Child } from "./dom";
import {
  dayLabel,
  decodeComponent,
  encodeComponent,
  formatDuration,
  formatTime,
  pageCount,
  parseTime,
  percent,
  relative,
  timeElement,
  timeZone,
} from "./format";
import { printerLabel, stateClass, stateOf, summaryView, text } from "./summary";
import { jobSpans, spanDuration, taskSpans, timelineSvg } from "./timeline";

/**
 * The jobs come from the server a page at a time (each job once, in its latest state, newest first);
 * the pages seen are kept per filter, so Newer and Older and the browser's Back need no new request.
 */
interface Pages {
  key: string;
  /** Page i's rows and the token of page i + 1 (undefined: page i is the last). */
  pages: { rows: AuditRow[]; next?: string }[];
}

const state = {
  filter: {} as JobFilter,
  top: 25,
  page: 0,
  /** The applied filter's fields as typed (dates as YYYY-MM-DD). */
  form: {} as Record<string, string>,
  /** Which pager button gets the focus after a page change. */
  focusAfterPaging: undefined as "older" | "newer" | undefined,
  pages: undefined as Pages | undefined,
  printers: new Map<string, string>(),
  users: new Set<string>(),
  /** What to run again once a key is given. */
  retry: undefined as (() => void) | undefined,
  /** Stale answers (the person moved on) are dropped. */
  generation: 0,
};

const views = ["view-jobs", "view-job", "view-summary"] as const;

function showView(id: (typeof views)[number]): void {
  for (const v of views) byId(v).hidden = v !== id;
  byId("nav-jobs").toggleAttribute("aria-current", false);
  byId("nav-summary").toggleAttribute("aria-current", false);
  if (id === "view-summary") byId("nav-summary").setAttribute("aria-current", "page");
  else byId("nav-jobs").setAttribute("aria-current", "page");
}

function setStatus(message: string): void {
  replace(byId("status"), message);
}

function badge(stateName: string): HTMLElement {
  return h("span", { class: `badge ${stateClass(stateName)}` }, stateName);
}

function describeSchedule(schedule: string): string {
  const every = /^0 \*\/(\d+) \* \* \* \*$/.exec(schedule);
  if (every) return `every ${every[1]} minutes`;
  if (schedule === "0 * * * * *") return "every minute";
  const hourly = /^0 (\d+) \* \* \* \*$/.exec(schedule);
  if (hourly) return `every hour at minute ${hourly[1]}`;
  return `on the schedule "${schedule}" (seconds minutes hours day month weekday, UTC)`;
}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
}

/** When the next audit run is due, for empty states. */
function nextRunText(): string {
  const schedule = meta("audit-schedule");
  const next = parseTime(meta("audit-next-run"));
  const parts: string[] = [];
  if (schedule) parts.push(`The audit runs ${describeSchedule(schedule)}.`);
  if (next) {
    parts.push(
      next.getTime() > Date.now()
        ? `The next run is due at ${formatTime(next)} (${relative(next)}).`
        : `A run was due at ${formatTime(next)} (${relative(next)}); reload the page to see what it recorded.`,
    );
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------- access

function updateAccess(signedInWorked: boolean): void {
  const key = keyStore.get();
  byId("forget-key").hidden = !key;
  byId("access-state").textContent = key
    ? "Using a function key (this tab only)"
    : signedInWorked
      ? "Access by sign-in, no key needed"
      : "";
}

function hidePanels(): void {
  byId("key-prompt").hidden = true;
  byId("problem").hidden = true;
}

function askForKey(reason: string, retry: () => void): void {
  state.retry = retry;
  for (const v of views) byId(v).hidden = true;
  byId("key-reason").textContent = reason;
  byId("key-prompt").hidden = false;
  setStatus("");
  const input = byId<HTMLInputElement>("key-input");
  input.value = "";
  input.focus();
  void offerSignIn();
}

/** Where App Service authentication runs in front of the app, its /.auth endpoints answer (401 or 200, not 404): offer its sign-in. */
async function offerSignIn(): Promise<void> {
  try {
    const response = await fetch("/.auth/me", { credentials: "same-origin", cache: "no-store", redirect: "manual" });
    if (response.status === 404) return;
    const back = `${location.pathname}${location.hash}`;
    byId("sign-in-link").setAttribute("href", `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`);
    byId("sign-in").hidden = false;
  } catch {
    // No sign-in to offer.
  }
}

function showProblem(title: string, ...body: Child[]): void {
  const panel = byId("problem");
  for (const v of views) byId(v).hidden = true;
  replace(panel, h("h2", {}, title), ...body);
  panel.hidden = false;
  setStatus("");
}

/** Runs a data call; on 401 asks for a key (then runs it again), on 403 and other failures says what to do. */
async function guarded(work: () => Promise<void>, retry: () => void): Promise<void> {
  hidePanels();
  try {
    await work();
    updateAccess(true);
  } catch (error) {
    if (!(error instanceof ApiError)) {
      showProblem(
        "Something went wrong in the viewer",
        h("p", {}, String((error as Error)?.message ?? error)),
        h("p", {}, "Reload the page; if it happens again, tell the app's owner."),
      );
      return;
    }
    const hadKey = keyStore.get() !== undefined;
    if (error.status === 401) {
      if (hadKey) keyStore.clear();
      updateAccess(false);
      askForKey(
        hadKey
          ? "The function key given was refused (401). It must be a function key of the audit API (the audit functions' own key, or the app's host key such as \"default\"); an administrator finds them in the Azure portal under the function app's App keys."
          : "The audit API needs a function key (401): this browser sent none, and no sign-in let it through. Paste a function key of this app (Azure portal: the function app > App keys, or the audit functions' Function keys). If the app uses Entra sign-in instead, reload the page to sign in again.",
        retry,
      );
      return;
    }
    const requestId = error.requestId ? h("p", { class: "muted" }, `Request id: ${error.requestId}`) : null;
    if (error.status === 403) {
      showProblem(
        "Access denied (403)",
        h(
          "p",
          {},
          error.message && !/^forbidden$/i.test(error.message) ? error.message : "The app refused this request.",
        ),
        h(
          "p",
          {},
          hadKey
            ? 'The key was accepted but does not open the audit API: use the host key ("default") or a key of the audit functions, not a key of another function.'
            : "You are signed in, but your account lacks the app role that the app's administrator requires for audit readers (App Service authentication / Entra ID). Ask them to assign it to you, or use a function key.",
        ),
        h(
          "p",
          {},
          h(
            "button",
            { type: "button", onclick: () => askForKey("Enter a function key that opens the audit API.", retry) },
            "Use a function key instead",
          ),
        ),
        requestId,
      );
      return;
    }
    if (error.status === 400) {
      showProblem(
        "The audit API did not accept this request (400)",
        h("p", {}, error.message),
        h("p", {}, "Change the filter (for example the dates, or the user's sign-in name) and apply it again."),
        requestId,
      );
      return;
    }
    if (error.status === 404) {
      showProblem(
        "Not found (404)",
        h("p", {}, error.message),
        h(
          "p",
          {},
          "If the audit API itself is missing, the app may be an older version without the audit: deploy the current one.",
        ),
        requestId,
      );
      return;
    }
    showProblem(
      error.status === 0 ? "The app could not be reached" : `The audit API failed (${error.status})`,
      h("p", {}, error.message),
      h("p", {}, h("button", { type: "button", onclick: retry }, "Try again")),
      requestId,
    );
  }
}

// ---------------------------------------------------------------- filters

function localMidnight(date: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  // The end of a day is the last millisecond before the next midnight.
  return new Date(
    new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).getTime() - (addDays ? 1 : 0),
  ).toISOString();
}

const filterFields = ["printer", "from", "to", "state", "user", "top"] as const;

/** The applied filter as the form holds it, for the address (#/jobs?state=aborted&page=2): links can be shared and Back works. */
function filterQuery(page = state.page): string {
  const params = new URLSearchParams();
  for (const name of filterFields) {
    const value = state.form[name];
    if (value && !(name === "top" && value === "25")) params.set(name, value);
  }
  if (page > 0) params.set("page", String(page + 1));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Fills the form from the address's filter. */
function fillForm(params: URLSearchParams): void {
  const form = byId<HTMLFormElement>("filters");
  for (const name of filterFields) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (!field) continue;
    const value = params.get(name) ?? (name === "top" ? "25" : "");
    if (field instanceof HTMLSelectElement && value && ![...field.options].some((o) => o.value === value)) {
      // A printer this page has not seen yet: keep it selectable until its name is learned.
      field.append(h("option", { value }, value));
    }
    field.value = value;
  }
}

/** The filter the form holds now. */
function formFilter(): { form: Record<string, string>; filter: JobFilter; top: number } {
  const data = new FormData(byId<HTMLFormElement>("filters"));
  const get = (name: string): string | undefined => {
    const value = String(data.get(name) ?? "").trim();
    return value === "" ? undefined : value;
  };
  return {
    form: Object.fromEntries(filterFields.map((name) => [name, get(name) ?? ""])),
    filter: {
      printerId: get("printer"),
      from: localMidnight(get("from") ?? ""),
      to: localMidnight(get("to") ?? "", 1),
      state: get("state"),
      user: get("user"),
    },
    top: Number(get("top") ?? 25),
  };
}

function readFilters(): void {
  Object.assign(state, formFilter());
}

function filterIsEmpty(): boolean {
  return Object.values(state.filter).every((v) => v === undefined);
}

function showScope(): string {
  const scope = scopeText();
  replace(byId("filters-summary"), scope);
  return scope;
}

function scopeText(): string {
  const f = state.filter;
  const parts: string[] = [];
  if (f.printerId) parts.push(`printer ${state.printers.get(f.printerId) ?? f.printerId}`);
  if (f.state) parts.push(`state ${f.state}`);
  if (f.user) parts.push(`user ${f.user}`);
  const from = byId<HTMLInputElement>("f-from").value;
  const to = byId<HTMLInputElement>("f-to").value;
  if (from || to) parts.push(`${from || "…"} to ${to || "…"}`);
  return parts.length ? `(${parts.join(", ")})` : "(all)";
}

/** Printers and users seen in the audit, for the printer list and the user suggestions. */
function learn(rows: readonly AuditRow[]): void {
  let added = false;
  for (const row of rows) {
    const id = text(row.PrinterId);
    if (id && !state.printers.has(id)) {
      state.printers.set(id, printerLabel(row));
      added = true;
    }
    const user = text(row.CreatedBy);
    if (user) state.users.add(user);
  }
  if (!added) return;
  const select = byId<HTMLSelectElement>("f-printer");
  const chosen = select.value;
  const options = [...state.printers.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  replace(
    select,
    h("option", { value: "" }, "All printers"),
    options.map(([id, name]) => h("option", { value: id }, name)),
  );
  select.value = chosen;
  let list = document.getElementById("users");
  if (!list) {
    list = h("datalist", { id: "users" });
    document.body.append(list);
    byId("f-user").setAttribute("list", "users");
  }
  // The label is shown with markers for invisible characters; the value stays exact for the filter.
  replace(
    list,
    [...state.users].sort().map((u) => h("option", { value: u, label: u })),
  );
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

// ---------------------------------------------------------------- jobs

function userCell(row: AuditRow): Child {
  const name = text(row.CreatedByName);
  const upn = text(row.CreatedBy);
  if (name && upn) return [name, h("span", { class: "sub" }, upn)];
  return name ?? upn ?? text(row.CreatedById) ?? "—";
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
      errorCode ? h("span", { class: "sub" }, `error code ${errorCode}`) : null,
      text(row.RedirectedTo) ? h("span", { class: "sub" }, "redirected to another printer") : null,
      text(row.RedirectedFrom) ? h("span", { class: "sub" }, "redirected here") : null,
    ),
    cell("Copies", "num", text(row.Copies) ?? "—"),
    pagesCell,
    cell("Last seen", null, timeElement(row.ObservedDateTime)),
  );
}

function emptyJobs(): HTMLElement {
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

async function renderJobs(): Promise<void> {
  showView("view-jobs");
  const generation = ++state.generation;
  replace(byId("jobs-scope"), showScope());
  const body = byId("jobs-body");
  setStatus("Loading jobs…");
  body.setAttribute("aria-busy", "true");
  await guarded(
    async () => {
      const loaded = await loadPage(state.page);
      if (generation !== state.generation) return;
      state.page = loaded.index;
      const rows = loaded.rows;
      if (rows.length === 0) {
        replace(body, emptyJobs());
        setStatus("");
        return;
      }
      // Pages may be short (the API answers within its time budget): count the rows of the pages before.
      const first = (state.pages?.pages ?? []).slice(0, state.page).reduce((n, p) => n + p.rows.length, 0);
      const last = loaded.next === undefined;
      const range = `${first + 1}–${first + rows.length}${last ? ` of ${first + rows.length}` : ""}`;
      const table = h(
        "table",
        { id: "jobs-table", class: "cards", tabindex: "-1", "data-scope": scopeText() },
        h(
          "caption",
          { class: "muted" },
          `Jobs ${range}, each in its latest state, newest first. Times in ${timeZone}; hover a time for UTC.`,
        ),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Created", "Job", "Printer (at job time)", "User", "State", "Copies", "Pages", "Last seen"].map((c, i) =>
              h("th", { scope: "col", class: i === 5 || i === 6 ? "num" : null }, c),
            ),
          ),
        ),
        h("tbody", {}, rows.map(jobRow)),
      );
      const pager = h(
        "nav",
        { class: "pager", "aria-label": "Pages of jobs" },
        h(
          "button",
          { type: "button", id: "newer", disabled: state.page === 0, onclick: () => goToPage(state.page - 1) },
          "← Newer",
        ),
        h(
          "span",
          { id: "page-number" },
          last ? `Page ${state.page + 1} of ${state.page + 1}` : `Page ${state.page + 1}`,
        ),
        h(
          "button",
          { type: "button", id: "older", disabled: last, onclick: () => goToPage(state.page + 1) },
          "Older →",
        ),
        h("button", { type: "button", id: "refresh", onclick: refresh }, "Refresh"),
      );
      replace(body, h("div", { class: "table-wrap" }, table), pager);
      // For npm run bench: when the first job table was on screen, after navigation start.
      if (performance.getEntriesByName("viewer:first-table").length === 0) performance.mark("viewer:first-table");
      setStatus(`Page ${state.page + 1}: jobs ${range}.`);
    },
    () => void renderJobs(),
  );
  if (generation === state.generation) body.removeAttribute("aria-busy");
}

function refresh(): void {
  state.pages = undefined;
  void route();
}

function goToPage(page: number): void {
  if (page < 0) return;
  state.focusAfterPaging = page > state.page ? "older" : "newer";
  location.hash = `#/jobs${filterQuery(page)}`;
}

function focusPager(): void {
  const wanted = state.focusAfterPaging;
  state.focusAfterPaging = undefined;
  if (!wanted) return;
  const button = document.getElementById(wanted) as HTMLButtonElement | null;
  const other = document.getElementById(wanted === "older" ? "newer" : "older") as HTMLButtonElement | null;
  const target =
    button && !button.disabled ? button : other && !other.disabled ? other : document.getElementById("jobs-table");
  target?.focus();
}

/** Points the navigation and the job view's way back at the current filter. */
function linkViews(): void {
  const query = filterQuery(0);
  byId("nav-jobs").setAttribute("href", `#/jobs${query}`);
  byId("nav-summary").setAttribute("href", `#/summary${query}`);
  byId("back-to-jobs").setAttribute("href", `#/jobs${filterQuery()}`);
}

// ---------------------------------------------------------------- one job

function graphJobRef(url: string | undefined): { printerId: string; jobId: string } | undefined {
  const m = url ? /\/printers\/([^/]+)\/jobs\/([^/?#]+)/.exec(url) : null;
  return m ? { printerId: decodeComponent(m[1]!), jobId: decodeComponent(m[2]!) } : undefined;
}

function redirectLink(url: string | undefined): Child {
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
async function nameRedirectPrinters(history: JobTimeline): Promise<void> {
  const refs = history.states
    .flatMap((row) => [text(row.RedirectedTo), text(row.RedirectedFrom)])
    .map(graphJobRef)
    .filter(
      (ref): ref is { printerId: string; jobId: string } => ref !== undefined && !state.printers.has(ref.printerId),
    );
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

/** The job's settings, each recorded value isolated from the next. */
function settingsOf(row: AuditRow): Child {
  const values = [row.ColorMode, row.DuplexMode, row.MediaSize, row.Orientation]
    .map(text)
    .filter((v): v is string => v !== undefined);
  return values.length ? values.flatMap((v, i) => (i ? [", ", v] : [v])) : null;
}

function fact(label: string, value: Child): Child {
  if (value === undefined || value === null || value === "" || value === "—") return null;
  return [h("dt", {}, label), h("dd", {}, value)];
}

function jobFacts(history: JobTimeline): HTMLElement {
  const row = history.current;
  const pages = pageCount(row.PageRanges);
  const size = Number(row.DocumentSizeInBytes);
  return h(
    "dl",
    { class: "facts" },
    fact("Printer", [history.printerName ?? printerLabel(row), h("span", { class: "sub" }, history.printerId)]),
    fact("User", userCell(row)),
    fact("Created", timeElement(row.CreatedDateTime)),
    fact("Acknowledged", text(row.AcknowledgedDateTime) ? timeElement(row.AcknowledgedDateTime) : null),
    fact("State now", badge(stateOf(row))),
    fact("Description", text(row.JobStateDescription)),
    fact("Details", text(row.JobStateDetails)),
    fact("Error code", text(row.ErrorCode)),
    fact("Copies", text(row.Copies)),
    fact("Pages", pages !== undefined ? [`${pages} (ranges `, text(row.PageRanges), ")"] : null),
    fact("Settings", settingsOf(row)),
    fact(
      "Documents",
      text(row.DocumentCount)
        ? [
            text(row.DocumentCount),
            Number.isFinite(size) ? `, ${(size / 1024).toFixed(1)} KiB` : null,
            text(row.DocumentNames) ? [": ", text(row.DocumentNames)] : null,
          ]
        : null,
    ),
    fact("Redirected to", text(row.RedirectedTo) ? redirectLink(text(row.RedirectedTo)) : null),
    fact("Redirected from", text(row.RedirectedFrom) ? redirectLink(text(row.RedirectedFrom)) : null),
    fact("Observations", `${history.states.length} recorded by the audit`),
  );
}

function stateTable(history: JobTimeline, now: Date): HTMLElement {
  const spans = jobSpans(history, now);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id: "states-table" },
      h(
        "caption",
        { class: "muted" },
        "Each state the audit saw, and the time spent in it (until the next state was seen).",
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["State", "Seen from", "Time in state", "Description", "Details", "Error code", "Redirect"].map((c) =>
            h("th", { scope: "col" }, c),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        spans.map((span) => {
          const last = span.rows.at(-1)!;
          const duration = spanDuration(span);
          return h(
            "tr",
            {},
            h("td", {}, badge(span.state)),
            h("td", {}, timeElement(span.start.toISOString())),
            h(
              "td",
              {},
              duration === undefined ? "final" : `${formatDuration(duration)}${span.ongoing ? " so far" : ""}`,
            ),
            h("td", {}, text(last.JobStateDescription) ?? "—"),
            h("td", {}, text(last.JobStateDetails) ?? "—"),
            h("td", {}, text(last.ErrorCode) ?? "—"),
            h(
              "td",
              {},
              text(last.RedirectedTo) ? ["to ", redirectLink(text(last.RedirectedTo))] : null,
              text(last.RedirectedFrom) ? ["from ", redirectLink(text(last.RedirectedFrom))] : null,
              !text(last.RedirectedTo) && !text(last.RedirectedFrom) ? "—" : null,
            ),
          );
        }),
      ),
    ),
  );
}

function taskTable(history: JobTimeline, now: Date): HTMLElement | null {
  const tasks = taskSpans(history, now);
  if (tasks.size === 0) return null;
  return h(
    "div",
    {},
    h("h3", {}, `Tasks (${tasks.size})`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "tasks-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Task", "State", "Seen from", "Time in state", "Description"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          {},
          [...tasks.entries()].flatMap(([id, spans]) =>
            spans.map((span) => {
              const duration = spanDuration(span);
              return h(
                "tr",
                {},
                h("td", { title: id }, id.slice(0, 8)),
                h("td", {}, badge(span.state)),
                h("td", {}, timeElement(span.start.toISOString())),
                h(
                  "td",
                  {},
                  duration === undefined ? "final" : `${formatDuration(duration)}${span.ongoing ? " so far" : ""}`,
                ),
                h("td", {}, text(span.rows.at(-1)!.TaskDescription) ?? "—"),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

async function renderJob(printerId: string, jobId: string): Promise<void> {
  showView("view-job");
  const generation = ++state.generation;
  const title = byId("job-title");
  replace(title, "Job ", jobId);
  const body = byId("job-body");
  replace(body);
  setStatus("Loading the job's history…");
  await guarded(
    async () => {
      const history = await getJobTimeline(printerId, jobId);
      if (history.printerName) state.printers.set(history.printerId, history.printerName);
      await nameRedirectPrinters(history);
      if (generation !== state.generation) return;
      const now = new Date();
      const row = history.current;
      replace(title, "Job ", jobId, " on ", history.printerName ?? printerLabel(row));
      if (history.states.length === 0) {
        replace(
          body,
          h(
            "div",
            { class: "panel empty" },
            h("p", {}, "The audit has no observations of this job yet."),
            h("p", {}, nextRunText()),
          ),
        );
        setStatus("");
        return;
      }
      const legendStates = [
        ...new Set([...history.states.map(stateOf), ...history.tasks.map((t) => text(t.TaskState) ?? "unknown")]),
      ];
      replace(
        body,
        jobFacts(history),
        h("h3", {}, "Timeline"),
        h(
          "figure",
          { class: "chart", id: "timeline" },
          timelineSvg(history, now),
          legend(legendStates),
          h("figcaption", { class: "note" }, `Times in ${timeZone}; hover for details and UTC.`),
        ),
        h("h3", {}, "States"),
        stateTable(history, now),
        taskTable(history, now),
      );
      setStatus(`${history.states.length} observation${history.states.length === 1 ? "" : "s"} of job ${jobId}.`);
      title.focus();
    },
    () => void renderJob(printerId, jobId),
  );
}

// ---------------------------------------------------------------- summaries

async function renderSummary(): Promise<void> {
  showView("view-summary");
  const generation = ++state.generation;
  replace(byId("summary-scope"), showScope());
  const body = byId("summary-body");
  setStatus("Loading the daily summaries…");
  body.setAttribute("aria-busy", "true");
  await guarded(
    async () => {
      // Whole UTC days as typed in the form; without dates, the route's last 31 days.
      const answer = await getSummaries({
        from: state.form.from,
        to: state.form.to,
        printerId: state.filter.printerId,
      });
      if (generation !== state.generation) return;
      const summary = summaryView(answer);
      for (const p of summary.printers)
        if (p.name !== p.id && !state.printers.has(p.id)) learn([{ PrinterId: p.id, PrinterName: p.name }]);
      const span = `${answer.from} to ${answer.to}`;
      const unfiltered =
        state.filter.state || state.filter.user
          ? h(
              "p",
              { class: "muted", id: "summary-note" },
              "The state and user filters apply to the job list; these summaries count every state and user.",
            )
          : null;
      if (summary.jobs === 0) {
        replace(
          body,
          h(
            "div",
            { class: "panel empty" },
            h("h3", {}, "No jobs in these days"),
            h(
              "p",
              {},
              `The audit recorded no job created from ${span} (UTC days)${state.filter.printerId ? " on this printer" : ""}.`,
            ),
            h("p", {}, nextRunText()),
          ),
          unfiltered,
        );
        setStatus("");
        return;
      }
      const dayTable = h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Day"),
            summary.states.map((st) => h("th", { scope: "col", class: "num" }, st)),
            h("th", { scope: "col", class: "num" }, "All"),
          ),
        ),
        h(
          "tbody",
          {},
          summary.days.map((day) => {
            const counts = summary.perDay.get(day)!;
            return h(
              "tr",
              {},
              h("th", { scope: "row" }, dayLabel(day)),
              summary.states.map((st) => h("td", { class: "num" }, counts.get(st) ?? 0)),
              h(
                "td",
                { class: "num" },
                [...counts.values()].reduce((a, b) => a + b, 0),
              ),
            );
          }),
        ),
      );
      const failing = [...summary.printers].sort(
        (a, b) => (b.aborted + b.canceled) / b.total - (a.aborted + a.canceled) / a.total || b.total - a.total,
      );
      // The chart shows the 20 printers with the largest share; the table under it has every printer.
      const shareChart = horizontalBars(
        failing.slice(0, 20).map((p) => ({
          label: p.name,
          segments: [
            {
              value: p.aborted / p.total,
              className: "aborted",
              title: `${p.name}: ${p.aborted} of ${p.total} aborted`,
            },
            {
              value: p.canceled / p.total,
              className: "canceled",
              title: `${p.name}: ${p.canceled} of ${p.total} canceled`,
            },
          ],
          valueText: percent(p.aborted + p.canceled, p.total),
        })),
        1,
        "Aborted and canceled share of jobs per printer",
      );
      const shareTable = h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Printer", "Jobs", "Aborted", "Canceled", "Share"].map((c, i) =>
              h("th", { scope: "col", class: i ? "num" : null }, c),
            ),
          ),
        ),
        h(
          "tbody",
          {},
          failing.map((p) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, p.name),
              h("td", { class: "num" }, p.total),
              h("td", { class: "num" }, p.aborted),
              h("td", { class: "num" }, p.canceled),
              h("td", { class: "num" }, percent(p.aborted + p.canceled, p.total)),
            ),
          ),
        ),
      );
      const top = <T>(items: T[]): T[] => items.slice(0, 10);
      const users = top(summary.users);
      const printers = top(summary.printers);
      const maxUser = Math.max(1, ...users.map((u) => u.jobs));
      const maxPrinter = Math.max(1, ...printers.map((p) => p.total));
      const countTable = (head: string, items: { label: string; n: number }[]): HTMLTableElement =>
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, head), h("th", { scope: "col", class: "num" }, "Jobs"))),
          h(
            "tbody",
            {},
            items.map((i) => h("tr", {}, h("th", { scope: "row" }, i.label), h("td", { class: "num" }, i.n))),
          ),
        );
      replace(
        body,
        h(
          "p",
          { class: "muted", id: "summary-range" },
          `${summary.jobs} job${summary.jobs === 1 ? "" : "s"} from ${span}, by the UTC day each job was created, each in its latest state.`,
        ),
        unfiltered,
        figure(
          "Jobs per state per day",
          stackedDays(summary.days, summary.states, summary.perDay),
          dayTable,
          legend(summary.states),
        ),
        h(
          "div",
          { class: "charts" },
          figure("Aborted and canceled share per printer", shareChart, shareTable, legend(["aborted", "canceled"])),
          figure(
            "Busiest users",
            horizontalBars(
              users.map((u) => ({
                label: u.name,
                segments: [{ value: u.jobs, className: "bar", title: `${u.name}: ${u.jobs} jobs` }],
                valueText: String(u.jobs),
              })),
              maxUser,
              "Busiest users by jobs",
            ),
            countTable(
              "User",
              users.map((u) => ({ label: u.name, n: u.jobs })),
            ),
          ),
          figure(
            "Busiest printers",
            horizontalBars(
              printers.map((p) => ({
                label: p.name,
                segments: [{ value: p.total, className: "bar", title: `${p.name}: ${p.total} jobs` }],
                valueText: String(p.total),
              })),
              maxPrinter,
              "Busiest printers by jobs",
            ),
            countTable(
              "Printer",
              printers.map((p) => ({ label: p.name, n: p.total })),
            ),
          ),
        ),
      );
      // For npm run bench: when the month's summaries were on screen, after navigation start.
      if (performance.getEntriesByName("viewer:summary").length === 0) performance.mark("viewer:summary");
      setStatus(`Summaries of ${summary.jobs} jobs.`);
    },
    () => void renderSummary(),
  );
  if (generation === state.generation) body.removeAttribute("aria-busy");
}

// ---------------------------------------------------------------- CSV, routing, start

/** The CSV of the filter in the form (applied or not yet), fetched with the key header and saved from a Blob. */
async function saveCsv(): Promise<void> {
  setStatus("Preparing the CSV…");
  await guarded(
    async () => {
      const { blob, fileName, truncated } = await downloadCsv(formFilter().filter);
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: fileName, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(
        `CSV of the current filter downloaded as ${fileName} (${(blob.size / 1024).toFixed(1)} KiB, every recorded state of each job).` +
          (truncated ? " It stops at the export's row limit: narrow the date range for the rest." : ""),
      );
    },
    () => void saveCsv(),
  );
}

/** Shows the filter in the address; navigating there renders it (or renders again if it is there already). */
function navigate(view: "jobs" | "summary"): void {
  const target = `#/${view}${filterQuery(0)}`;
  if (location.hash === target) void route();
  else location.hash = target;
}

function currentListView(): "jobs" | "summary" {
  return location.hash.startsWith("#/summary") ? "summary" : "jobs";
}

function clearFilters(): void {
  byId<HTMLFormElement>("filters").reset();
  readFilters();
  navigate(currentListView());
}

async function route(): Promise<void> {
  const [path, queryText] = location.hash.replace(/^#\/?/, "").split("?");
  const [view, ...rest] = (path ?? "").split("/");
  if (view === "job" && rest.length >= 2)
    return renderJob(decodeComponent(rest[0]!), decodeComponent(rest.slice(1).join("/")));
  const params = new URLSearchParams(queryText ?? "");
  fillForm(params);
  readFilters();
  state.page = Math.max(0, (Number(params.get("page")) || 1) - 1);
  linkViews();
  if (view === "summary") return renderSummary();
  await renderJobs();
  focusPager();
}

function start(): void {
  byId("zone").textContent = `Times are shown in ${timeZone}; hover over a time to see it in UTC.`;
  byId<HTMLFormElement>("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    readFilters();
    state.pages = undefined;
    navigate(currentListView());
  });
  byId("clear-filters").addEventListener("click", clearFilters);
  // On a narrow screen (or at 200% zoom) the filters start folded, so the jobs are on the first screen.
  if (window.matchMedia("(max-width: 48rem)").matches) byId<HTMLDetailsElement>("filters-box").open = false;
  byId("csv").addEventListener("click", () => void saveCsv());
  byId("forget-key").addEventListener("click", () => {
    keyStore.clear();
    state.pages = undefined;
    updateAccess(false);
    void route();
  });
  byId<HTMLFormElement>("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>("key-input");
    const key = input.value.trim();
    input.value = "";
    if (!key) return;
    keyStore.set(key);
    updateAccess(false);
    byId("key-prompt").hidden = true;
    const retry = state.retry ?? (() => void route());
    state.retry = undefined;
    retry();
  });
  window.addEventListener("hashchange", () => void route());
  updateAccess(false);
  void route();
}

start();
