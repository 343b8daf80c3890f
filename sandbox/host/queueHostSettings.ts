/** The queue settings of host.json (extensions.queues), with the host's defaults. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./functionApp";

export interface QueueHostSettings {
  messageEncoding: "base64" | "none";
  batchSize: number;
  maxDequeueCount: number;
  visibilityTimeoutInMs: number;
  /** The longest pause between polls of an empty queue (host.json's maxPollingInterval; the host's default is a minute). */
  maxPollingIntervalInMs: number;
}

/** "00:00:30" (or "1.00:00:00") as milliseconds. */
function timeSpanInMs(value: unknown, fallback: number): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(String(value ?? ""));
  if (!m) return fallback;
  return (
    (((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1000 +
    Number(`0.${m[5] ?? 0}`) * 1000
  );
}

export function readQueueHostSettings(root = repoRoot()): QueueHostSettings {
  const file = join(root, "host.json");
  const queues = existsSync(file)
    ? ((JSON.parse(readFileSync(file, "utf8")) as { extensions?: { queues?: Record<string, unknown> } }).extensions
        ?.queues ?? {})
    : {};
  return {
    messageEncoding: queues.messageEncoding === "none" ? "none" : "base64",
    batchSize: Math.min(32, Math.max(1, Number(queues.batchSize ?? 16))),
    maxDequeueCount: Math.max(1, Number(queues.maxDequeueCount ?? 5)),
    visibilityTimeoutInMs: timeSpanInMs(queues.visibilityTimeout, 0),
    maxPollingIntervalInMs: timeSpanInMs(queues.maxPollingInterval, 60_000),
  };
}
