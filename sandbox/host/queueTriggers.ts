/**
 * Queue triggers over Azurite as the host runs them: a batch of up to host.json's batchSize messages at a
 * time, the dequeue count in the trigger metadata, a message deleted when its function succeeds, made visible
 * again after the visibility timeout when it fails, and moved to <queue>-poison when it has failed
 * maxDequeueCount times. An empty queue is polled less and less often, the pause doubling up to
 * maxPollingInterval, as the host does; and as the host polls at once when its own functions add messages, every
 * invocation (and a wait for idle queues) wakes the pollers and starts them again from the shortest pause. Polling
 * three queues every 20 ms kept a test process and its Azurite busy for 0.4 CPU-seconds a second, doing nothing.
 */
import { QueueClient, type DequeuedMessageItem } from "@azure/storage-queue";
import { type Registration } from "./functionsCore";
import { type HostLog } from "./hostLog";
import { type QueueHostSettings } from "./queueHostSettings";

export interface QueuePolling extends QueueHostSettings {
  /** The shortest pause between polls of an empty queue: after a message, and after a wake-up. */
  pollingIntervalInMs: number;
  /** The longest: the pause doubles up to it while the queue stays empty (host.json's maxPollingInterval). */
  maxPollingIntervalInMs: number;
}

/** A queue trigger's function, its queue and poison queue, and how they are polled. */
interface WatchedQueue {
  registration: Registration;
  queue: QueueClient;
  poison: QueueClient;
  polling: QueuePolling;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class QueueTriggers {
  private running = false;
  private inFlight = 0;
  private readonly pollers: Promise<void>[] = [];
  private readonly watchedQueues: QueueClient[] = [];
  /** Counts wake-ups, so a poller whose empty answer was asked for before one polls again instead of pausing. */
  private wakeUps = 0;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly log: HostLog) {}

  start(): void {
    this.running = true;
  }

  /** Polls every queue now and from the shortest pause again: an invocation may have added messages. */
  wake(): void {
    this.wakeUps++;
    for (const sleeper of [...this.sleepers]) sleeper();
  }

  /** Pauses ms, or less when woken. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Creates the trigger's queue if need be and polls it until stop(). */
  async watch(registration: Registration, connectionString: string, queueName: string, polling: QueuePolling) {
    const queue = new QueueClient(connectionString, queueName);
    await queue.createIfNotExists();
    this.watchedQueues.push(queue);
    const poison = new QueueClient(connectionString, `${queueName}-poison`);
    this.pollers.push(this.pollQueue({ registration, queue, poison, polling }));
  }

  /** Stops polling, and waits for invocations in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.pollers.splice(0));
    this.watchedQueues.length = 0;
  }

  /** Resolves when no queue-triggered invocation runs and every watched queue is empty (invisible messages count as waiting). */
  async waitForIdle(options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    const endBy = Date.now() + (options.timeoutMs ?? 30_000);
    this.wake();
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

  /**
   * Like the host: keeps up to batchSize messages of a queue running, and fetches more once fewer than
   * half of them (newBatchThreshold) are left, without waiting for the whole batch.
   */
  private async pollQueue(watched: WatchedQueue): Promise<void> {
    const { registration, polling } = watched;
    const running = new Set<Promise<void>>();
    const newBatchThreshold = Math.floor(polling.batchSize / 2);
    let pauseMs = polling.pollingIntervalInMs;
    while (this.running) {
      if (running.size > newBatchThreshold) {
        await Promise.race(running);
        continue;
      }
      const wakeUps = this.wakeUps;
      const messages = await this.receive(watched, polling.batchSize - running.size);
      if (messages.length === 0) {
        // Woken while asking (or while pausing): the shortest pause again, and no pause at all for the first case.
        if (this.wakeUps === wakeUps) await this.pause(pauseMs);
        pauseMs =
          this.wakeUps !== wakeUps
            ? polling.pollingIntervalInMs
            : Math.min(2 * pauseMs, polling.maxPollingIntervalInMs);
        continue;
      }
      pauseMs = polling.pollingIntervalInMs;
      this.inFlight += messages.length;
      for (const message of messages) {
        const invocation = this.runQueueMessage(watched, message)
          .catch((error) =>
            this.log.write(
              registration.name,
              "error",
              `Queue message handling failed: ${(error as Error)?.message ?? error}`,
            ),
          )
          .finally(() => {
            this.inFlight--;
            running.delete(invocation);
            this.wake();
          });
        running.add(invocation);
      }
    }
    await Promise.all(running);
  }

  private async receive({ registration, queue }: WatchedQueue, count: number): Promise<DequeuedMessageItem[]> {
    try {
      // The lease while a function runs; a failure shortens it to the visibility timeout.
      return (await queue.receiveMessages({ numberOfMessages: count, visibilityTimeout: 300 })).receivedMessageItems;
    } catch (error) {
      if (this.running)
        this.log.write(
          registration.name,
          "warning",
          `Polling ${queue.name} failed: ${(error as Error)?.message ?? error}`,
        );
      return [];
    }
  }

  private async runQueueMessage(watched: WatchedQueue, message: DequeuedMessageItem): Promise<void> {
    const { registration, queue } = watched;
    const text =
      watched.polling.messageEncoding === "base64"
        ? Buffer.from(message.messageText, "base64").toString("utf8")
        : message.messageText;
    const context = this.log.newContext(registration, {
      id: message.messageId,
      popReceipt: message.popReceipt,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      queueTrigger: text,
    });
    try {
      await registration.handler(queueInput(text), context);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      this.log.write(
        registration.name,
        "error",
        `Executed '${registration.name}' (Failed, Id=${context.invocationId}, dequeueCount=${message.dequeueCount}): ${(error as Error)?.message ?? error}`,
      );
      await this.retryOrPoison(watched, message);
    }
  }

  /** A failed message: visible again after the visibility timeout, or moved to the poison queue at maxDequeueCount. */
  private async retryOrPoison(watched: WatchedQueue, message: DequeuedMessageItem): Promise<void> {
    const { registration, queue, poison, polling: settings } = watched;
    if (message.dequeueCount < settings.maxDequeueCount) {
      await queue.updateMessage(
        message.messageId,
        message.popReceipt,
        undefined,
        Math.ceil(settings.visibilityTimeoutInMs / 1000),
      );
      return;
    }
    await poison.createIfNotExists();
    await poison.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, message.popReceipt);
    this.log.write(
      registration.name,
      "warning",
      `Message ${message.messageId} has reached MaxDequeueCount of ${settings.maxDequeueCount}; moved to ${poison.name}.`,
    );
  }
}

/** The Node worker hands JSON objects over parsed, other text as a string. */
function queueInput(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") return parsed;
  } catch {
    // Not JSON: the text itself.
  }
  return text;
}
