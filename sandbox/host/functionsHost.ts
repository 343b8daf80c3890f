/**
 * A local stand-in for the Azure Functions host, for tests and the sandbox (Core Tools cannot be
 * installed here). The built app registers its functions through our `@azure/functions-core`
 * (functionsCore.ts); this host then serves the HTTP triggers on their registered routes, fires timers, and
 * runs queue triggers over Azurite with the host's dequeue-count and poison-queue behaviour.
 */
import { randomUUID } from "node:crypto";
import { type InvocationContext } from "@azure/functions";
import { triggerOf, type Registration } from "./functionsCore";
import { HostLog, type LogLine } from "./hostLog";
import { compileRoute, type CompiledRoute } from "./httpRoutes";
import { HttpTriggerServer } from "./httpServer";
import { readQueueHostSettings } from "./queueHostSettings";
import { QueueTriggers } from "./queueTriggers";
import { TimerTriggers, timerInput } from "./timerTriggers";

export interface LocalHostOptions {
  port?: number;
  /** Require keys as Azure does (Core Tools does not, locally): these open authLevel function routes. */
  functionKeys?: string[];
  /** The master (admin) key: the only key that opens authLevel admin routes. */
  masterKey?: string;
  /** Print each log line. */
  printLogs?: boolean;
  /** Route prefix, as host.json's extensions.http.routePrefix (default "api"). */
  routePrefix?: string;
}

export interface TriggerOptions {
  /** The storage account the queue triggers' `connection` names (AzureWebJobsStorage): Azurite's connection string. */
  connectionString: string;
  /** Run timers on their schedules (default true). */
  timers?: boolean;
  /** Poll the queue triggers' queues (default true). */
  queues?: boolean;
  /** The pause before a failed message is tried again; default host.json's extensions.queues.visibilityTimeout. */
  visibilityTimeoutInMs?: number;
  /** The shortest pause between polls of an empty queue (the host's: 100 ms, the default). */
  pollingIntervalInMs?: number;
  /** The longest, which the pause doubles up to while a queue stays empty; default host.json's maxPollingInterval. */
  maxPollingIntervalInMs?: number;
}

/** Serves registered HTTP triggers on loopback and invokes any registration directly. */
export class LocalFunctionsHost {
  readonly logs: LogLine[];
  private readonly log: HostLog;
  private readonly timers: TimerTriggers;
  private readonly queues: QueueTriggers;
  private triggersRunning = false;
  private server: HttpTriggerServer | undefined;
  private readonly routes: CompiledRoute[];
  port = 0;

  constructor(
    readonly registrations: Registration[],
    private readonly options: LocalHostOptions = {},
  ) {
    this.routes = registrations.map(compileRoute).filter((r): r is CompiledRoute => r !== undefined);
    this.log = new HostLog(options.printLogs);
    this.logs = this.log.lines;
    this.timers = new TimerTriggers(this.log);
    this.queues = new QueueTriggers(this.log);
  }

  get baseUrl(): string {
    return `http://localhost:${this.port}/${this.options.routePrefix ?? "api"}`;
  }

  registration(name: string): Registration {
    const found = this.registrations.find((r) => r.name === name);
    if (!found)
      throw new Error(`No function named ${name}; registered: ${this.registrations.map((r) => r.name).join(", ")}`);
    return found;
  }

  /** HTTP routes as the host sees them: name, methods, route and authLevel. */
  httpRoutes(): { name: string; methods: string[]; route: string; authLevel: string }[] {
    return this.routes.map((r) => {
      const trigger = triggerOf(r.registration);
      return {
        name: r.registration.name,
        methods: r.methods,
        route: String(trigger.route),
        authLevel: String(trigger.authLevel ?? "anonymous"),
      };
    });
  }

  newContext(
    registration: Registration,
    triggerMetadata: Record<string, unknown> = {},
    extra: { retryContext?: unknown } = {},
  ): InvocationContext {
    return this.log.newContext(registration, triggerMetadata, extra);
  }

  async start(): Promise<this> {
    const { routePrefix = "api", functionKeys, masterKey } = this.options;
    this.server = new HttpTriggerServer(
      this.routes,
      { routePrefix, functionKeys, masterKey, afterInvocation: () => this.queues.wake() },
      this.log,
    );
    this.port = await this.server.listen(this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.stopTriggers();
    await this.server?.close();
  }

  /** Fires a timer trigger once, as the host does on schedule. */
  async fireTimer(name: string, options: { isPastDue?: boolean } = {}): Promise<unknown> {
    const registration = this.registration(name);
    const timer = timerInput(options.isPastDue ?? false);
    const context = this.newContext(registration, { timer });
    try {
      return await registration.handler(timer, context);
    } finally {
      this.queues.wake();
    }
  }

  /** Starts the non-HTTP triggers as the host would: timers on their schedules, queue triggers polling Azurite. */
  async startTriggers(options: TriggerOptions): Promise<void> {
    if (this.triggersRunning) return;
    this.triggersRunning = true;
    this.timers.start();
    this.queues.start();
    const settings = readQueueHostSettings();
    const pollingIntervalInMs = options.pollingIntervalInMs ?? 100;
    const polling = {
      ...settings,
      visibilityTimeoutInMs: options.visibilityTimeoutInMs ?? settings.visibilityTimeoutInMs,
      pollingIntervalInMs,
      maxPollingIntervalInMs: Math.max(
        pollingIntervalInMs,
        options.maxPollingIntervalInMs ?? settings.maxPollingIntervalInMs,
      ),
    };
    for (const registration of this.registrations) {
      const trigger = triggerOf(registration);
      if (trigger.type === "timerTrigger" && options.timers !== false)
        this.timers.schedule(registration, String(trigger.schedule), () => this.fireTimer(registration.name));
      if (trigger.type === "queueTrigger" && options.queues !== false)
        await this.queues.watch(registration, options.connectionString, String(trigger.queueName), polling);
    }
  }

  /** Stops timers and queue polling, and waits for invocations in progress. */
  async stopTriggers(): Promise<void> {
    this.triggersRunning = false;
    this.timers.stop();
    await this.queues.stop();
  }

  /** Resolves when no queue-triggered invocation runs and every watched queue is empty (invisible messages count as waiting). */
  async waitForQueuesIdle(options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    return this.queues.waitForIdle(options);
  }

  /** Invokes a queue trigger with one message, as the host does (dequeueCount from the queue). */
  async invokeQueue(
    name: string,
    message: unknown,
    metadata: { id?: string; dequeueCount?: number; insertionTime?: Date } = {},
  ): Promise<unknown> {
    const registration = this.registration(name);
    const context = this.newContext(registration, {
      id: metadata.id ?? randomUUID(),
      dequeueCount: metadata.dequeueCount ?? 1,
      insertionTime: (metadata.insertionTime ?? new Date()).toISOString(),
    });
    try {
      return await registration.handler(message, context);
    } finally {
      this.queues.wake();
    }
  }
}
