/**
 * A local stand-in for the Azure Functions host, for tests and the sandbox (Core Tools cannot be
 * installed here). It provides the `@azure/functions-core` module that the Node worker gives the
 * `@azure/functions` library, so every `app.http/app.timer/app.storageQueue` call ends in our
 * `registerFunction(metadata, handler)` with exactly the binding metadata the real host reads. It then
 * serves the HTTP triggers on their registered routes, fires timers, and runs queue triggers over
 * Azurite with the host's dequeue-count and poison-queue behaviour.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { dirname, join, relative } from "node:path";
import Module from "node:module";
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { QueueClient, type DequeuedMessageItem } from "@azure/storage-queue";
import { CronExpressionParser } from "cron-parser";
import { LoopbackServer } from "../loopbackServer";

export interface BindingMetadata {
  type: string;
  direction: "in" | "out";
  [key: string]: unknown;
}

export interface Registration {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
  handler: (...args: unknown[]) => unknown;
}

export interface LogLine {
  functionName: string;
  invocationId: string;
  level: string;
  message: string;
}

export const registrations: Registration[] = [];
export const hooks: Record<string, ((context: unknown) => unknown)[]> = {};

let installed = false;

/** Makes `require("@azure/functions-core")` resolve to this host's API (idempotent). */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const coreApi = {
    version: "4.99.0-local",
    hostVersion: "4.99.0-local",
    setProgrammingModel(): void {},
    getProgrammingModel(): unknown {
      return undefined;
    },
    registerFunction(
      metadata: { name: string; bindings: Record<string, BindingMetadata>; retryOptions?: unknown },
      handler: Registration["handler"],
    ) {
      registrations.push({
        name: metadata.name,
        bindings: metadata.bindings,
        retryOptions: metadata.retryOptions,
        handler,
      });
      return { dispose() {} };
    },
    registerHook(name: string, callback: (context: unknown) => unknown) {
      (hooks[name] ??= []).push(callback);
      return { dispose() {} };
    },
    log(): void {},
  };
  const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === "@azure/functions-core") return coreApi;
    return original.call(this, request, parent, isMain);
  };
}

/** The repository root (where package.json is), from dist/sandbox/host or sandbox/host. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file) && readFileSync(file, "utf8").includes('"name": "universal-print-jobs"')) return dir;
  }
  throw new Error(`No universal-print-jobs package.json above ${__dirname}`);
}

/** Expands package.json's `main` the way the worker does: braces and a `*` in the file name. */
export function expandMain(root: string, main: string): string[] {
  const braces = /\{([^}]*)\}/.exec(main);
  const patterns = braces ? braces[1]!.split(",").map((alt) => main.replace(braces[0], alt)) : [main];
  return patterns.flatMap((pattern) => {
    const dir = join(root, dirname(pattern));
    const file = pattern.split("/").pop()!;
    if (!file.includes("*")) return [join(root, pattern)];
    const regex = new RegExp(`^${file.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
    return readdirSync(dir)
      .filter((f) => regex.test(f))
      .sort()
      .map((f) => join(dir, f));
  });
}

/** Loads the built app as the worker does: every file matched by package.json's `main`. Returns what registered. */
export function loadFunctionApp(root = repoRoot()): Registration[] {
  installFunctionsCore();
  const main = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string }).main;
  // The worker loads each entry file with require() (CommonJS app).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of expandMain(root, main)) require(file);
  return registrations;
}

export function triggerOf(registration: Registration): BindingMetadata {
  const trigger = Object.values(registration.bindings).find((b) => b.direction === "in" && /Trigger$/.test(b.type));
  if (!trigger) throw new Error(`${registration.name} has no trigger binding`);
  return trigger;
}

interface CompiledRoute {
  registration: Registration;
  methods: string[];
  segments: { literal?: string; param?: string; optional?: boolean; catchAll?: boolean }[];
}

function compileRoute(registration: Registration): CompiledRoute | undefined {
  const trigger = triggerOf(registration);
  if (trigger.type !== "httpTrigger") return undefined;
  const route = String(trigger.route ?? registration.name);
  const segments = route
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const m = /^\{(\*)?([A-Za-z0-9_]+)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      return m
        ? { param: m[2]!, optional: Boolean(m[3]), catchAll: Boolean(m[1]) }
        : { literal: segment.toLowerCase() };
    });
  const methods = ((trigger.methods as string[] | undefined) ?? ["GET", "POST"]).map((m) => m.toUpperCase());
  return { registration, methods, segments };
}

function matchRoute(route: CompiledRoute, pathSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    const value = pathSegments[i];
    if (segment.catchAll) {
      params[segment.param!] = pathSegments.slice(i).join("/");
      return params;
    }
    if (value === undefined) return segment.optional ? params : undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== value.toLowerCase()) return undefined;
    } else {
      params[segment.param!] = value;
    }
  }
  return pathSegments.length === route.segments.length ? params : undefined;
}

export interface LocalHostOptions {
  port?: number;
  /** Require a function key on authLevel function/admin routes (Core Tools does not, locally). */
  functionKeys?: string[];
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
  /** How often an empty queue is polled (the real host backs off to a minute; locally a fixed pause). Default 100 ms. */
  pollingIntervalInMs?: number;
}

/** The queue settings of host.json (extensions.queues), with the host's defaults. */
export interface QueueHostSettings {
  messageEncoding: "base64" | "none";
  batchSize: number;
  maxDequeueCount: number;
  visibilityTimeoutInMs: number;
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
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Serves registered HTTP triggers on loopback and invokes any registration directly. */
export class LocalFunctionsHost {
  readonly logs: LogLine[] = [];
  private triggersRunning = false;
  private readonly timerHandles = new Set<NodeJS.Timeout>();
  private readonly pollers: Promise<void>[] = [];
  private readonly watchedQueues: QueueClient[] = [];
  private inFlight = 0;
  private server: LoopbackServer | undefined;
  private readonly routes: CompiledRoute[];
  port = 0;

  constructor(
    readonly registrations: Registration[],
    private readonly options: LocalHostOptions = {},
  ) {
    this.routes = registrations.map(compileRoute).filter((r): r is CompiledRoute => r !== undefined);
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
        this.logs.push(line);
        if (this.options.printLogs)
          console.log(`[${new Date().toISOString()}] ${registration.name} ${level}: ${message}`);
      },
    });
  }

  async start(): Promise<this> {
    this.server = new LoopbackServer((req, res) => void this.serve(req, res));
    this.port = await this.server.listen(this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.stopTriggers();
    await this.server?.close();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? "/", `http://localhost:${this.port}`);
      const prefix = `/${this.options.routePrefix ?? "api"}/`;
      const reply = async (status: number, body: unknown): Promise<void> => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (!url.pathname.startsWith(prefix))
        return reply(404, { error: { code: "notFound", message: "No function at this path." } });
      let pathSegments: string[];
      try {
        pathSegments = url.pathname.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
      } catch {
        return reply(400, { error: { code: "badRequest", message: "The path is not valid percent-encoding." } });
      }
      const method = (req.method ?? "GET").toUpperCase();
      let params: Record<string, string> | undefined;
      const route = this.routes.find(
        (r) => (params = matchRoute(r, pathSegments)) !== undefined && r.methods.includes(method),
      );
      if (!route || !params) {
        const anyMethod = this.routes.some((r) => matchRoute(r, pathSegments) !== undefined);
        return reply(anyMethod ? 405 : 404, {
          error: {
            code: anyMethod ? "methodNotAllowed" : "notFound",
            message: anyMethod ? `Method ${method} is not allowed here.` : "No function at this path.",
          },
        });
      }
      const trigger = triggerOf(route.registration);
      const authLevel = String(trigger.authLevel ?? "anonymous");
      if (authLevel !== "anonymous" && this.options.functionKeys) {
        const key = req.headers["x-functions-key"] ?? url.searchParams.get("code");
        if (typeof key !== "string" || !this.options.functionKeys.includes(key)) {
          res.writeHead(401);
          res.end();
          return;
        }
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams) as Record<string, string>,
        params,
        body: chunks.length > 0 ? { bytes: Buffer.concat(chunks) } : undefined,
      });
      // HttpRequestInit takes a flat query record; keep repeated options as the real host does.
      for (const name of new Set(url.searchParams.keys())) {
        request.query.delete(name);
        for (const value of url.searchParams.getAll(name)) request.query.append(name, value);
      }
      const context = this.newContext(route.registration, { params });
      const result = (await route.registration.handler(request, context)) as
        HttpResponseInit | HttpResponse | undefined;
      const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => (outHeaders[name] = value));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, outHeaders);
      res.end(body);
    } catch (error) {
      // The real host answers 500 with no detail when a handler throws.
      if (this.options.printLogs) console.error(error);
      this.logs.push({
        functionName: "(host)",
        invocationId: "-",
        level: "error",
        message: String((error as Error)?.stack ?? error),
      });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  /** Fires a timer trigger once, as the host does on schedule. */
  async fireTimer(name: string, options: { isPastDue?: boolean } = {}): Promise<unknown> {
    const registration = this.registration(name);
    const now = new Date().toISOString();
    const timer = {
      isPastDue: options.isPastDue ?? false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now, next: now, lastUpdated: now },
    };
    const context = this.newContext(registration, { timer });
    return registration.handler(timer, context);
  }

  /**
   * Starts the non-HTTP triggers as the host would: timers on their NCRONTAB schedules (UTC, six fields),
   * and queue triggers polling their queues on Azurite: a batch of up to host.json's batchSize messages at
   * a time, the dequeue count in the trigger metadata, a message deleted when its function succeeds, made
   * visible again after the visibility timeout when it fails, and moved to <queue>-poison when it has failed
   * maxDequeueCount times.
   */
  async startTriggers(options: TriggerOptions): Promise<void> {
    if (this.triggersRunning) return;
    this.triggersRunning = true;
    const settings = readQueueHostSettings();
    const visibilityTimeoutInMs = options.visibilityTimeoutInMs ?? settings.visibilityTimeoutInMs;
    for (const registration of this.registrations) {
      const trigger = triggerOf(registration);
      if (trigger.type === "timerTrigger" && options.timers !== false)
        this.scheduleTimer(registration, String(trigger.schedule));
      if (trigger.type === "queueTrigger" && options.queues !== false) {
        const queue = new QueueClient(options.connectionString, String(trigger.queueName));
        await queue.createIfNotExists();
        this.watchedQueues.push(queue);
        const poison = new QueueClient(options.connectionString, `${trigger.queueName}-poison`);
        this.pollers.push(
          this.pollQueue(
            registration,
            queue,
            poison,
            { ...settings, visibilityTimeoutInMs },
            options.pollingIntervalInMs ?? 100,
          ),
        );
      }
    }
  }

  /** Stops timers and queue polling, and waits for invocations in progress. */
  async stopTriggers(): Promise<void> {
    this.triggersRunning = false;
    for (const handle of this.timerHandles) clearTimeout(handle);
    this.timerHandles.clear();
    await Promise.all(this.pollers.splice(0));
    this.watchedQueues.length = 0;
  }

  /** Resolves when no queue-triggered invocation runs and every watched queue is empty (invisible messages count as waiting). */
  async waitForQueuesIdle(options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    const endBy = Date.now() + (options.timeoutMs ?? 30_000);
    let quietChecks = 0;
    while (quietChecks < 2) {
      if (Date.now() > endBy)
        throw new Error(
          `Queues not idle within ${options.timeoutMs ?? 30_000} ms (${this.inFlight} invocation(s) running).`,
        );
      await sleep(options.pollMs ?? 25);
      let waiting = this.inFlight;
      for (const queue of this.watchedQueues) waiting += (await queue.getProperties()).approximateMessagesCount ?? 0;
      quietChecks = waiting === 0 ? quietChecks + 1 : 0;
    }
  }

  private scheduleTimer(registration: Registration, schedule: string): void {
    const cron = CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date() });
    const arm = (): void => {
      if (!this.triggersRunning) return;
      const next = cron.next().getTime();
      const handle = setTimeout(
        () => {
          this.timerHandles.delete(handle);
          void Promise.resolve()
            .then(() => this.fireTimer(registration.name))
            .catch((error) =>
              this.hostLog(
                registration.name,
                "error",
                `Timer invocation failed: ${(error as Error)?.message ?? error}`,
              ),
            )
            .finally(arm);
        },
        Math.max(0, next - Date.now()),
      );
      this.timerHandles.add(handle);
    };
    arm();
  }

  private hostLog(functionName: string, level: string, message: string): void {
    this.logs.push({ functionName, invocationId: "-", level, message });
    if (this.options.printLogs) console.log(`[${new Date().toISOString()}] ${functionName} ${level}: ${message}`);
  }

  /**
   * Like the host: keeps up to batchSize messages of a queue running, and fetches more once fewer than
   * half of them (newBatchThreshold) are left, without waiting for the whole batch.
   */
  private async pollQueue(
    registration: Registration,
    queue: QueueClient,
    poison: QueueClient,
    settings: QueueHostSettings,
    pollingIntervalInMs: number,
  ): Promise<void> {
    const running = new Set<Promise<void>>();
    const newBatchThreshold = Math.floor(settings.batchSize / 2);
    while (this.triggersRunning) {
      if (running.size > newBatchThreshold) {
        await Promise.race(running);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        // The lease while a function runs; a failure shortens it to the visibility timeout.
        messages = (
          await queue.receiveMessages({ numberOfMessages: settings.batchSize - running.size, visibilityTimeout: 300 })
        ).receivedMessageItems;
      } catch (error) {
        if (this.triggersRunning)
          this.hostLog(
            registration.name,
            "warning",
            `Polling ${queue.name} failed: ${(error as Error)?.message ?? error}`,
          );
      }
      if (messages.length === 0) {
        await sleep(pollingIntervalInMs);
        continue;
      }
      this.inFlight += messages.length;
      for (const message of messages) {
        const invocation = this.runQueueMessage(registration, queue, poison, settings, message)
          .catch((error) =>
            this.hostLog(
              registration.name,
              "error",
              `Queue message handling failed: ${(error as Error)?.message ?? error}`,
            ),
          )
          .finally(() => {
            this.inFlight--;
            running.delete(invocation);
          });
        running.add(invocation);
      }
    }
    await Promise.all(running);
  }

  private async runQueueMessage(
    registration: Registration,
    queue: QueueClient,
    poison: QueueClient,
    settings: QueueHostSettings,
    message: DequeuedMessageItem,
  ): Promise<void> {
    const text =
      settings.messageEncoding === "base64"
        ? Buffer.from(message.messageText, "base64").toString("utf8")
        : message.messageText;
    let input: unknown = text;
    try {
      const parsed: unknown = JSON.parse(text);
      // The Node worker hands JSON objects over parsed, other text as a string.
      if (parsed !== null && typeof parsed === "object") input = parsed;
    } catch {
      input = text;
    }
    const context = this.newContext(registration, {
      id: message.messageId,
      popReceipt: message.popReceipt,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      queueTrigger: text,
    });
    try {
      await registration.handler(input, context);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      this.hostLog(
        registration.name,
        "error",
        `Executed '${registration.name}' (Failed, Id=${context.invocationId}, dequeueCount=${message.dequeueCount}): ${(error as Error)?.message ?? error}`,
      );
      if (message.dequeueCount >= settings.maxDequeueCount) {
        await poison.createIfNotExists();
        await poison.sendMessage(message.messageText);
        await queue.deleteMessage(message.messageId, message.popReceipt);
        this.hostLog(
          registration.name,
          "warning",
          `Message ${message.messageId} has reached MaxDequeueCount of ${settings.maxDequeueCount}; moved to ${poison.name}.`,
        );
      } else {
        await queue.updateMessage(
          message.messageId,
          message.popReceipt,
          undefined,
          Math.ceil(settings.visibilityTimeoutInMs / 1000),
        );
      }
    }
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
    return registration.handler(message, context);
  }
}

/** A relative path for messages. */
export function shortPath(path: string): string {
  return relative(process.cwd(), path);
}
