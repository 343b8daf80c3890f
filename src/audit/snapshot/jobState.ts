/** The parts of a job and its tasks whose change is a new observation, parsed from Graph. */
import { isTerminalJobState, type PrintJob, type PrintTask } from "../../graph/types";
import { asArray, asBoolean, asNumber, asObject, asString, type MalformedData } from "./graphValues";

/** The parts of a job whose change is a new observation (the task states are fingerprinted apart). */
export interface JobState {
  state: string;
  details: string;
  description?: string;
  errorCode?: number;
  isAcquiredByPrinter?: boolean;
  acknowledgedDateTime?: string;
  redirectedFrom?: string;
  redirectedTo?: string;
  isFetchable?: boolean;
  /** The whole printJobConfiguration as canonical JSON (keys sorted), so any setting's change is seen. */
  configuration?: string;
}

export interface TaskState {
  id: string;
  state: string;
  description?: string;
}

export function parseJobState(job: PrintJob, malformed: MalformedData): JobState {
  const status = asObject(job.status, "status", malformed) ?? {};
  const details = asArray(status.details, "status.details", malformed)
    .map((d) => asString(d, "status.details[]", malformed))
    .filter((d): d is string => d !== undefined);
  return {
    state: asString(status.state, "status.state", malformed) ?? "unknown",
    details: details.join(","),
    description: asString(status.description, "status.description", malformed),
    errorCode: asNumber(job.errorCode, "errorCode", malformed),
    isAcquiredByPrinter: asBoolean(status.isAcquiredByPrinter, "status.isAcquiredByPrinter", malformed),
    acknowledgedDateTime: asString(job.acknowledgedDateTime, "acknowledgedDateTime", malformed),
    redirectedFrom: asString(job.redirectedFrom, "redirectedFrom", malformed),
    redirectedTo: asString(job.redirectedTo, "redirectedTo", malformed),
    isFetchable: asBoolean(job.isFetchable, "isFetchable", malformed),
    configuration: configurationJson(job.configuration, malformed),
  };
}

/** Deeper than this, Graph's configuration is not a printJobConfiguration (its deepest part is margin, 2 levels). */
const maxConfigurationDepth = 8;

/** Canonical JSON of the configuration (keys sorted at every level); undefined when there is none or it is empty. */
export function configurationJson(value: unknown, malformed: MalformedData): string | undefined {
  const configuration = asObject(value, "configuration", malformed);
  if (!configuration || Object.keys(configuration).length === 0) return undefined;
  const canonical = (item: unknown, depth: number): unknown => {
    if (depth > maxConfigurationDepth) {
      malformed.note("configuration");
      return null;
    }
    if (Array.isArray(item)) return item.map((v) => canonical(v, depth + 1));
    if (item === null || typeof item !== "object") return item;
    return Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((k) => [k, canonical((item as Record<string, unknown>)[k], depth + 1)]),
    );
  };
  return JSON.stringify(canonical(configuration, 0));
}

export function parseTasks(tasks: unknown, malformed: MalformedData): TaskState[] {
  const parsed: TaskState[] = [];
  for (const raw of asArray(tasks, "tasks", malformed)) {
    const task = asObject(raw, "tasks[]", malformed) as PrintTask | undefined;
    const id = asString(task?.id, "tasks[].id", malformed);
    if (!task || !id) {
      if (task) malformed.note("tasks[].id");
      continue;
    }
    const status = asObject(task.status, "tasks[].status", malformed) ?? {};
    parsed.push({
      id,
      state: asString(status.state, "tasks[].status.state", malformed) ?? "unknown",
      description: asString(status.description, "tasks[].status.description", malformed),
    });
  }
  return parsed;
}

export function isTerminal(state: string): boolean {
  return isTerminalJobState(state);
}

/** "completed=2;processing=1": how many tasks are in each state. */
export function taskStateSummary(tasks: readonly TaskState[]): string | undefined {
  if (tasks.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([state, n]) => `${state}=${n}`)
    .join(";");
}
