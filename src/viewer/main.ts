/**
 * The audit viewer: filters, a paged job table, a job's timeline and daily summaries, all drawn from
 * the audit read API. Routes live in the fragment (#/jobs, #/summary, #/job/<printerId>/<jobId>),
 * which never reaches a server. This file routes and wires the page; each view has a module of its own.
 */
import { updateAccess } from "./access";
import { keyStore } from "./api";
import { saveCsv } from "./csvDownload";
import { byId } from "./dom";
import { fillForm, filterQuery, readFilters } from "./filters";
import { decodeComponent, timeZone } from "./format";
import { focusPager, renderJobs, type JobListActions } from "./jobList";
import { renderJob } from "./jobView";
import { state } from "./state";
import { renderSummary } from "./summariesView";

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

function refresh(): void {
  state.pages = undefined;
  void route();
}

const listActions: JobListActions = { clearFilters, refresh };

/** Points the navigation and the job view's way back at the current filter. */
function linkViews(): void {
  const query = filterQuery(0);
  byId("nav-jobs").setAttribute("href", `#/jobs${query}`);
  byId("nav-summary").setAttribute("href", `#/summary${query}`);
  byId("back-to-jobs").setAttribute("href", `#/jobs${filterQuery()}`);
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
  await renderJobs(listActions);
  focusPager();
}

/** The key form: a key given is kept for this tab, and what asked for it runs again. */
function useKey(event: SubmitEvent): void {
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
  byId<HTMLFormElement>("key-form").addEventListener("submit", useKey);
  window.addEventListener("hashchange", () => void route());
  updateAccess(false);
  void route();
}

start();
