import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { QueueClient } from "@azure/storage-queue";
import { StrictAzurite } from "../rig/strictTables";
import { type Registration } from "../../sandbox/host/functionsCore";
import { LocalFunctionsHost } from "../../sandbox/host/functionsHost";
import { readQueueHostSettings } from "../../sandbox/host/queueHostSettings";
import { CountingProxy, RequestCounter } from "../rig/countingProxy";

let azurite: StrictAzurite;
before(async () => {
  azurite = await new StrictAzurite().start();
});
after(() => azurite.stop());

function registration(name: string, trigger: Record<string, unknown>, handler: Registration["handler"]): Registration {
  return { name, bindings: { trigger: { direction: "in", ...trigger } as never }, handler };
}

test("host.json's queue settings are read as the host reads them", () => {
  assert.deepEqual(readQueueHostSettings(), {
    messageEncoding: "none",
    batchSize: 16,
    maxDequeueCount: 5,
    visibilityTimeoutInMs: 30_000,
    maxPollingIntervalInMs: 60_000,
  });
});

test("an empty queue is polled less and less often, and a message a function adds is picked up at once", async () => {
  // The queue endpoint behind a proxy that counts the host's polls (GET .../messages).
  const counter = new RequestCounter();
  const proxy = await new CountingProxy(`http://127.0.0.1:${azurite.queuePort}`, counter).start();
  const connectionString = azurite.connectionStringVia({ queue: proxy.origin, table: azurite.tableOrigin });
  const handled: number[] = [];
  const host = new LocalFunctionsHost([
    registration("later", { type: "queueTrigger", queueName: "later", connection: "AzureWebJobsStorage" }, () => {
      handled.push(Date.now());
    }),
    registration("enqueue", { type: "httpTrigger", route: "enqueue", methods: ["POST"] }, async () => {
      await new QueueClient(connectionString, "later").sendMessage("{}");
      return { status: 202 };
    }),
  ]);
  await host.start();
  const pollTimes: number[] = [];
  counter.decide = (_n, req) => (req.method === "GET" && pollTimes.push(Date.now()), "forward");
  await host.startTriggers({
    connectionString,
    timers: false,
    pollingIntervalInMs: 20,
    maxPollingIntervalInMs: 60_000,
  });
  try {
    while (pollTimes.length < 9) await new Promise((r) => setTimeout(r, 10));
    // Eight pauses of 20, 40, ... 2560 ms between nine polls (at a fixed 20 ms, 160 ms); a slow machine only adds.
    const firstNine = pollTimes[8]! - pollTimes[0]!;
    assert.ok(firstNine >= 2500, `nine polls of an empty queue in ${firstNine} ms`);
    // The next poll is 5 s away; the function's invocation wakes the pollers, so its message does not wait for it.
    const sent = Date.now();
    assert.equal((await fetch(`${host.baseUrl}/enqueue`, { method: "POST" })).status, 202);
    while (handled.length === 0 && Date.now() - sent < 10_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(handled.length, 1, "the message was handled");
    assert.ok(handled[0]! - sent < 2500, `handled ${handled[0]! - sent} ms after the function added it`);
  } finally {
    await host.stop();
    await proxy.stop();
  }
});

test("the local host fires a timer on its NCRONTAB schedule", async () => {
  const fired: { isPastDue: boolean }[] = [];
  const host = new LocalFunctionsHost([
    registration(
      "everySecond",
      { type: "timerTrigger", schedule: "* * * * * *" },
      (timer) => void fired.push(timer as { isPastDue: boolean }),
    ),
  ]);
  await host.startTriggers({ connectionString: azurite.connectionString, queues: false });
  const started = Date.now();
  while (fired.length < 2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
  await host.stopTriggers();
  assert.ok(fired.length >= 2, `fired ${fired.length} times`);
  assert.equal(fired[0]!.isPastDue, false);
});

test("queue triggers: JSON handed over parsed, dequeueCount counts tries, success deletes, the 5th failure moves the message to <queue>-poison", async () => {
  const seen: { input: unknown; dequeueCount: unknown }[] = [];
  const host = new LocalFunctionsHost([
    registration(
      "flaky",
      { type: "queueTrigger", queueName: "flaky", connection: "AzureWebJobsStorage" },
      (input, context) => {
        const dequeueCount = (context as { triggerMetadata: { dequeueCount: unknown } }).triggerMetadata.dequeueCount;
        seen.push({ input, dequeueCount });
        if ((input as { fail?: boolean }).fail) throw new Error("always fails");
      },
    ),
  ]);
  await host.startTriggers({
    connectionString: azurite.connectionString,
    timers: false,
    visibilityTimeoutInMs: 0,
    pollingIntervalInMs: 10,
  });
  try {
    const queue = new QueueClient(azurite.connectionString, "flaky");
    await queue.sendMessage(JSON.stringify({ ok: 1 }));
    await queue.sendMessage(JSON.stringify({ fail: true }));
    await host.waitForQueuesIdle({ timeoutMs: 20_000 });
    assert.deepEqual(
      seen.filter((s) => (s.input as { ok?: number }).ok === 1),
      [{ input: { ok: 1 }, dequeueCount: 1 }],
    );
    assert.deepEqual(
      seen.filter((s) => (s.input as { fail?: boolean }).fail).map((s) => s.dequeueCount),
      [1, 2, 3, 4, 5],
    );
    const poison = (await new QueueClient(azurite.connectionString, "flaky-poison").receiveMessages())
      .receivedMessageItems;
    assert.deepEqual(
      poison.map((m) => m.messageText),
      [JSON.stringify({ fail: true })],
    );
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0);
  } finally {
    await host.stopTriggers();
  }
});
