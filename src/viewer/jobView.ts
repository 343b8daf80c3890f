/** One job's view (#/job/<printerId>/<jobId>): its facts, its timeline, and its states and tasks as tables. */
import { type JobTimeline } from "../contract/auditAnswers";
import { guarded } from "./access";
import { getJobTimeline } from "./api";
import { legend } from "./charts";
import { byId, h, replace, type Child } from "./dom";
import { timeZone } from "./format";
import { jobFacts } from "./jobFacts";
import { stateTable, taskTable } from "./jobTables";
import { nextRunText } from "./nextRun";
import { nameRedirectPrinters } from "./redirects";
import { printerLabel, stateOf, text } from "./rows";
import { setStatus, showView } from "./shell";
import { state } from "./state";
import { timelineSvg } from "./timeline";

function timelineFigure(history: JobTimeline, now: Date): HTMLElement {
  const legendStates = [
    ...new Set([...history.states.map(stateOf), ...history.tasks.map((t) => text(t.TaskState) ?? "unknown")]),
  ];
  return h(
    "figure",
    { class: "chart", id: "timeline" },
    timelineSvg(history, now),
    legend(legendStates),
    h("figcaption", { class: "note" }, `Times in ${timeZone}; hover for details and UTC.`),
  );
}

/** A job the audit has not observed yet: when the next run is due. */
function unobservedJob(): HTMLElement {
  return h(
    "div",
    { class: "panel empty" },
    h("p", {}, "The audit has no observations of this job yet."),
    h("p", {}, nextRunText()),
  );
}

const finished = new Set(["completed", "canceled", "aborted"]);

/** A job recorded once: why its timeline is a single state, and when the audit looks again. */
function recordedOnceNote(history: JobTimeline): HTMLElement | null {
  if (history.states.length !== 1) return null;
  const stateNow = stateOf(history.current);
  const why = finished.has(stateNow)
    ? `Recorded once: the job was already ${stateNow} when the audit first saw it, and a finished job does not change, so its timeline is this one state.`
    : "Recorded once so far: the audit has not seen this job change since it first saw it, and adds a state here when it does.";
  return h("p", { class: "panel note-once", id: "recorded-once" }, why, " ", nextRunText());
}

function jobSections(history: JobTimeline, now: Date): Child[] {
  return [
    jobFacts(history),
    h("h3", {}, "Timeline"),
    recordedOnceNote(history),
    timelineFigure(history, now),
    h("h3", {}, "States"),
    stateTable(history, now),
    taskTable(history, now),
  ];
}

export async function renderJob(printerId: string, jobId: string): Promise<void> {
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
      replace(title, "Job ", jobId, " on ", history.printerName ?? printerLabel(history.current));
      if (history.states.length === 0) {
        replace(body, unobservedJob());
        setStatus("");
        return;
      }
      replace(body, jobSections(history, now));
      // The facts say how many states were recorded; the status line would only say it again.
      setStatus("");
      title.focus();
    },
    () => void renderJob(printerId, jobId),
  );
}
