/**
 * The strict Table layer refuses what the Table service refuses, with the service's status and error code,
 * through the real @azure/data-tables client; what the service takes passes, and every request is counted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { odata, TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { StrictAzurite } from "./strictTables";
import { countComparisons } from "./tableRules";

interface ServiceError {
  "odata.error"?: { code?: string; message?: { value?: string } };
}

let azurite: StrictAzurite;
let tableCount = 0;

before(async () => (azurite = await new StrictAzurite().start()));
after(() => azurite.stop());

async function freshTable(connectionString = azurite.connectionString): Promise<TableClient> {
  const client = TableClient.fromConnectionString(connectionString, `strict${process.pid}x${++tableCount}`, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  return client;
}

async function refusal(work: () => Promise<unknown>): Promise<{ status?: number; code?: string; message: string }> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof RestError, `not a RestError: ${String(error)}`);
    // Single operations leave the service's code in the JSON body; transactions set it on the error.
    const body = error.code ? undefined : (JSON.parse(error.response?.bodyAsText ?? "{}") as ServiceError);
    const code = error.code ?? body?.["odata.error"]?.code;
    return { status: error.statusCode, code, message: body?.["odata.error"]?.message?.value ?? error.message };
  }
  assert.fail("the strict layer took what the service refuses");
}

async function all(client: TableClient, filter: string): Promise<number> {
  let n = 0;
  for await (const _ of client.listEntities({ queryOptions: { filter } })) n++;
  return n;
}

const rows = (partitionKey: string, n: number, extra: Record<string, unknown> = {}): TableEntity[] =>
  Array.from({ length: n }, (_, i) => ({ partitionKey, rowKey: String(i).padStart(4, "0"), ...extra }));

describe("queries", () => {
  it("refuses a $filter of 16 comparisons with 400 InvalidInput, and answers one of 15 (Azurite alone takes both)", async () => {
    const client = await freshTable();
    await client.createEntity({ partitionKey: "p", rowKey: "r", n: 1 });
    const ors = (n: number): string => Array.from({ length: n }, (_, i) => `n eq ${i}`).join(" or ");
    assert.equal(await all(client, ors(15)), 1);
    assert.deepEqual((({ status, code }) => ({ status, code }))(await refusal(() => all(client, ors(16)))), {
      status: 400,
      code: "InvalidInput",
    });
    const direct = TableClient.fromConnectionString(azurite.directConnectionString, client.tableName, {
      allowInsecureConnection: true,
    });
    assert.equal(await all(direct, ors(16)), 1);
  });

  it("counts comparisons outside quoted values only", () => {
    assert.equal(countComparisons(odata`RowKey eq ${"a eq b or c lt d"}`), 1);
    assert.equal(countComparisons("PartitionKey eq 'x''s' and (RowKey ge 'a' and RowKey lt 'b')"), 3);
    assert.equal(countComparisons("Equal eq 1 and Level ne 2"), 2);
  });

  it("refuses $top above 1,000 with 400 InvalidInput and cuts a page at 1,000 rows", async () => {
    const client = await freshTable();
    for (let i = 0; i < 11; i++)
      await client.submitTransaction(
        rows("p", 100).map((r): TransactionAction => ["create", { ...r, rowKey: `${i}-${r.rowKey}` }]),
      );
    const iterator = client.listEntities().byPage({ maxPageSize: 1001 });
    assert.equal((await refusal(() => iterator.next())).code, "InvalidInput");
    const pages: number[] = [];
    for await (const page of client.listEntities().byPage()) pages.push(page.length);
    assert.deepEqual(pages, [1000, 100]);
  });

  it("with a seed, cuts pages short and leaves some empty with a continuation mid-partition, losing no row", async () => {
    const seeded = await new StrictAzurite({ strict: { shortPagesSeed: 7 } }).start();
    try {
      const client = await freshTable(seeded.connectionString);
      await client.submitTransaction(rows("p", 100).map((r): TransactionAction => ["create", r]));
      const pages: number[] = [];
      const keys: string[] = [];
      for await (const page of client.listEntities({ queryOptions: { filter: "PartitionKey eq 'p'" } }).byPage({
        maxPageSize: 30,
      })) {
        pages.push(page.length);
        keys.push(...page.map((e) => e.rowKey!));
      }
      assert.deepEqual(
        keys,
        rows("p", 100).map((r) => r.rowKey),
      );
      assert.ok(
        pages.some((n) => n > 0 && n < 30),
        `no short page in ${pages.join(",")}`,
      );
      assert.ok(pages.slice(0, -1).includes(0), `no empty page before the end in ${pages.join(",")}`);
    } finally {
      await seeded.stop();
    }
  });
});

describe("entity-group transactions", () => {
  it("take 100 operations of one partition and refuse 101 with 400 InvalidInput", async () => {
    const client = await freshTable();
    await client.submitTransaction(rows("a", 100).map((r): TransactionAction => ["create", r]));
    const tooMany = rows("b", 101).map((r): TransactionAction => ["create", r]);
    const refused = await refusal(() => client.submitTransaction(tooMany));
    assert.deepEqual([refused.status, refused.code], [400, "InvalidInput"]);
    assert.match(refused.message, /exceeds the maximum 100 changes per change set/);
    assert.equal(await all(client, "PartitionKey eq 'b'"), 0);
  });

  it("refuse two partitions with CommandsInBatchActOnDifferentPartitions (the SDK checks it first; sent raw here)", async () => {
    const changeset = "changeset_1";
    const operation = (partitionKey: string): string =>
      [
        `--${changeset}`,
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        `POST ${azurite.tableOrigin}/${azurite.accountName}/anyTable HTTP/1.1`,
        "Content-Type: application/json",
        "",
        JSON.stringify({ PartitionKey: partitionKey, RowKey: "1" }),
      ].join("\r\n");
    const body = [
      "--batch_1",
      `Content-Type: multipart/mixed; boundary=${changeset}`,
      "",
      operation("a"),
      operation("b"),
      `--${changeset}--`,
      "--batch_1--",
      "",
    ].join("\r\n");
    const answer = await fetch(`${azurite.tableOrigin}/${azurite.accountName}/$batch`, {
      method: "POST",
      headers: { "content-type": "multipart/mixed; boundary=batch_1" },
      body,
    });
    assert.equal(answer.status, 202);
    const text = await answer.text();
    assert.match(text, /HTTP\/1\.1 400 Bad Request/);
    assert.match(text, /"code":"CommandsInBatchActOnDifferentPartitions"/);
  });

  it("refuse one row twice with InvalidDuplicateRow, naming the operation", async () => {
    const client = await freshTable();
    const twice = await refusal(() =>
      client.submitTransaction([
        ["create", { partitionKey: "a", rowKey: "1" }],
        ["upsert", { partitionKey: "a", rowKey: "1" }],
      ]),
    );
    assert.deepEqual([twice.status, twice.code], [400, "InvalidDuplicateRow"]);
    assert.match(twice.message, /^1:A command with RowKey '1' is already present in the batch/);
  });

  it("refuse a payload over 4 MiB with 413 RequestBodyTooLarge", async () => {
    const client = await freshTable();
    // 40 rows of two 32,000-character properties, 2 bytes each in UTF-8: about 5 MB.
    const wide = "é".repeat(32_000);
    const big = rows("p", 40, { a: wide, b: wide }).map((r): TransactionAction => ["create", r]);
    const refused = await refusal(() => client.submitTransaction(big));
    assert.deepEqual([refused.status, refused.code], [413, "RequestBodyTooLarge"]);
  });
});

describe("entities", () => {
  it("take a string of 32,768 characters and refuse one more with 400 PropertyValueTooLarge", async () => {
    const client = await freshTable();
    await client.createEntity({ partitionKey: "p", rowKey: "ok", text: "x".repeat(32_768) });
    const refused = await refusal(() =>
      client.createEntity({ partitionKey: "p", rowKey: "no", text: "x".repeat(32_769) }),
    );
    assert.deepEqual([refused.status, refused.code], [400, "PropertyValueTooLarge"]);
  });

  it("refuse an entity over 1 MiB with 400 EntityTooLarge, also when merged or upserted", async () => {
    const client = await freshTable();
    const wide = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, "x".repeat(32_000)]));
    for (const write of [
      () => client.createEntity({ partitionKey: "p", rowKey: "r", ...wide }),
      () => client.upsertEntity({ partitionKey: "p", rowKey: "r", ...wide }, "Merge"),
      () => client.upsertEntity({ partitionKey: "p", rowKey: "r", ...wide }, "Replace"),
    ]) {
      const refused = await refusal(write);
      assert.deepEqual([refused.status, refused.code], [400, "EntityTooLarge"]);
    }
  });

  it("take 252 properties of one's own and refuse 253 with 400 TooManyProperties", async () => {
    const client = await freshTable();
    const props = (n: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
    await client.createEntity({ partitionKey: "p", rowKey: "ok", ...props(252) });
    const refused = await refusal(() => client.createEntity({ partitionKey: "p", rowKey: "no", ...props(253) }));
    assert.deepEqual([refused.status, refused.code], [400, "TooManyProperties"]);
  });

  it("refuse keys holding / \\ # ? or control characters with 400 OutOfRangeInput, in writes and transactions", async () => {
    const client = await freshTable();
    for (const c of ["/", "\\", "#", "?", "\u0000", "\u001f", "\u007f", "\u009f"]) {
      const single = await refusal(() => client.createEntity({ partitionKey: "p", rowKey: `a${c}b` }));
      assert.deepEqual([single.status, single.code], [400, "OutOfRangeInput"], JSON.stringify(c));
      const inBatch = await refusal(() =>
        client.submitTransaction([["upsert", { partitionKey: `p${c}`, rowKey: "r" }]]),
      );
      assert.deepEqual([inBatch.status, inBatch.code], [400, "OutOfRangeInput"], JSON.stringify(c));
    }
    await client.createEntity({ partitionKey: "p", rowKey: "a|b%2F~é" });
  });
});

describe("counting and timing", () => {
  it("counts each request by kind, the operations in transactions and the rows returned", async () => {
    const client = await freshTable();
    azurite.tables.takeCounts();
    await client.createEntity({ partitionKey: "p", rowKey: "1" });
    await client.upsertEntity({ partitionKey: "p", rowKey: "2" }, "Merge");
    await client.getEntity("p", "1");
    await client.submitTransaction(rows("q", 5).map((r): TransactionAction => ["create", r]));
    assert.equal(await all(client, "PartitionKey eq 'q'"), 5);
    await client.deleteEntity("p", "1");
    const counts = azurite.tables.takeCounts();
    assert.deepEqual(
      { ...counts },
      {
        requests: 6,
        query: 1,
        pointRead: 1,
        insert: 1,
        upsertOrMerge: 1,
        delete: 1,
        batch: 1,
        batchOperations: 5,
        table: 0,
        rowsReturned: 5,
        refused: 0,
      },
    );
  });

  it("adds the round trip it is given to every request", async () => {
    const slow = await new StrictAzurite({ strict: { roundTripMs: 50 } }).start();
    try {
      const client = await freshTable(slow.connectionString);
      const started = Date.now();
      for (let i = 0; i < 4; i++) await client.upsertEntity({ partitionKey: "p", rowKey: String(i) });
      assert.ok(Date.now() - started >= 200, `4 writes took ${Date.now() - started} ms`);
    } finally {
      await slow.stop();
    }
  });
});
