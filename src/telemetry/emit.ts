import { type TelemetryEventName, type TelemetryEvents } from "./events";

/**
 * Where an event goes: the invocation's context (InvocationContext has both methods), whose lines the Functions
 * host sends to Application Insights as `traces` rows. Nothing else: offline, the lines stay in the host's log.
 */
export interface TelemetrySink {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

/** The start of every event's trace message; queries find an event with `message startswith '{"event":"Name"'`. */
export function eventPrefix(name: TelemetryEventName): string {
  return `{"event":"${name}"`;
}

// A value from Graph (a printer's name) is kept short and on one line; JSON escapes the rest.
function dimension(value: string | number | boolean): string | number | boolean {
  if (typeof value === "number") return Number.isFinite(value) ? value : 0;
  if (typeof value === "string") return value.replace(/\p{Cc}/gu, " ").slice(0, 200);
  return value;
}

/** The trace message of one event: one line of JSON, the event's name first, then its dimensions. */
export function formatEvent<N extends TelemetryEventName>(name: N, dimensions: TelemetryEvents[N]): string {
  const body: Record<string, string | number | boolean> = { event: name };
  for (const [key, value] of Object.entries(dimensions) as [string, string | number | boolean][]) {
    body[key] = dimension(value);
  }
  return JSON.stringify(body);
}

/** Sends one event; `warning` raises it to severity 2 (a failure an admin should see), info otherwise. */
export function emit<N extends TelemetryEventName>(
  sink: TelemetrySink,
  name: N,
  dimensions: TelemetryEvents[N],
  warning = false,
): void {
  const message = formatEvent(name, dimensions);
  if (warning) sink.warn(message);
  else sink.info(message);
}
