/** The host's log: every line a function or the host itself writes, kept for tests and printed on request. */
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { type Registration } from "./functionsCore";

export interface LogLine {
  functionName: string;
  invocationId: string;
  level: string;
  message: string;
}

export class HostLog {
  readonly lines: LogLine[] = [];

  constructor(private readonly printLogs: boolean | undefined) {}

  /** An invocation's context, as the host makes one per call; what the function logs lands here. */
  newContext(
    registration: Registration,
    triggerMetadata: Record<string, unknown> = {},
    extra: { retryContext?: unknown } = {},
  ): InvocationContext {
    const invocationId = randomUUID();
    return new InvocationContext({
      invocationId,
      functionName: registration.name,
      triggerMetadata,
      retryContext: extra.retryContext as never,
      logHandler: (level, ...args) => {
        const message = args
          .map((a) => (typeof a === "string" ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a)))
          .join(" ");
        const line = { functionName: registration.name, invocationId, level, message };
        this.lines.push(line);
        if (this.printLogs) console.log(`[${new Date().toISOString()}] ${registration.name} ${level}: ${message}`);
      },
    });
  }

  /** A line the host writes about a function (a failed invocation, a poisoned message). */
  write(functionName: string, level: string, message: string): void {
    this.lines.push({ functionName, invocationId: "-", level, message });
    if (this.printLogs) console.log(`[${new Date().toISOString()}] ${functionName} ${level}: ${message}`);
  }

  /** A handler threw out of an HTTP invocation: the host keeps the stack in its log, never in the answer. */
  handlerThrew(error: unknown): void {
    if (this.printLogs) console.error(error);
    this.lines.push({
      functionName: "(host)",
      invocationId: "-",
      level: "error",
      message: String((error as Error)?.stack ?? error),
    });
  }
}
