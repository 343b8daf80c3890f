/**
 * The run's one Azurite (sharedAzurite.ts): suites that share its process never share its data, no two suites get the
 * same account, and a suite that needs storage of its own, or comes after the last account, gets its own emulator.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TableServiceClient } from "@azure/data-tables";
import { QueueServiceClient } from "@azure/storage-queue";
import { startSharedAzurite } from "./sharedAzurite";
import { StrictAzurite } from "./strictTables";

const tables = async (azurite: StrictAzurite): Promise<string[]> => {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const table of service.listTables()) names.push(table.name!);
  return names;
};

describe("the run's shared Azurite", () => {
  let shared: Awaited<ReturnType<typeof startSharedAzurite>>;
  const started: StrictAzurite[] = [];
  const runs = process.env.SHARED_AZURITE;

  before(async () => {
    // A run's Azurite of two accounts, named to the suites of this process only.
    shared = await startSharedAzurite(2);
    Object.assign(process.env, shared.env);
  });
  after(async () => {
    await Promise.all(started.map((azurite) => azurite.stop()));
    await shared.stop();
    if (runs === undefined) delete process.env.SHARED_AZURITE;
    else process.env.SHARED_AZURITE = runs;
  });

  const start = async (options?: ConstructorParameters<typeof StrictAzurite>[0]): Promise<StrictAzurite> => {
    const azurite = new StrictAzurite(options);
    started.push(azurite);
    return azurite.start();
  };

  it("gives each suite an account of its own in the one process, whose tables and queues the others do not see", async () => {
    const first = await start();
    const second = await start();
    assert.equal(first.pid, undefined, "no emulator of its own");
    assert.equal(second.pid, undefined, "no emulator of its own");
    assert.equal(first.tablePort, second.tablePort);
    assert.notEqual(first.accountName, second.accountName);

    const service = TableServiceClient.fromConnectionString(first.connectionString, { allowInsecureConnection: true });
    await service.createTable("onlyInTheFirst");
    await QueueServiceClient.fromConnectionString(first.connectionString).createQueue("only-in-the-first");
    assert.deepEqual(await tables(first), ["onlyInTheFirst"]);
    assert.deepEqual(await tables(second), []);
    const queues: string[] = [];
    for await (const queue of QueueServiceClient.fromConnectionString(second.connectionString).listQueues())
      queues.push(queue.name);
    assert.deepEqual(queues, []);
    // Each through its own strict proxy, counted apart.
    assert.ok(first.tables.counts.table >= 2);
    assert.equal(second.tables.counts.table, 1);
  });

  it("starts an emulator of its own when all accounts are taken, or when asked to", async () => {
    const third = await start();
    const own = await start({ own: true });
    for (const azurite of [third, own]) {
      assert.ok(azurite.pid, "an emulator of its own");
      assert.equal(azurite.accountName, "devstoreaccount1");
      assert.deepEqual(await tables(azurite), []);
    }
  });
});
