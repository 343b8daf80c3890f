/**
 * Tamper evidence against Azurite and the Universal Print simulator: an untouched audit verifies intact (also
 * after a redaction switch and an erasure); a state altered, a row deleted, a row slipped in and a digest removed
 * from the chain are each found and named by their keys, and nothing else is accused.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { BlobAnchor, evidenceContainer, verifyIntegrity, type EvidenceTarget } from "../../src/audit/integrity";
import { AuditStore, tableClientFactory } from "../../src/audit/store";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";
import { parseVerifyArgs, runVerify } from "../../scripts/verify";

let rig: Rig;
const printers = [printerIdFor(71), printerIdFor(72)];
const prefix = `ev${Date.now().toString(36)}`;
const started = Date.now();
const today = new Date(started).toISOString().slice(0, 10);
/** The UTC day of the suite's first job, created 8 minutes before it started: yesterday, just after midnight. */
const firstDay = new Date(started - 8 * 60_000).toISOString().slice(0, 10);
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
          createdDateTime: new Date(started - n * 60_000).toISOString(),
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
  return (await verifyIntegrity(evidence(), { from: firstDay, to: today, retentionDays: 400 })).report;
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

describe("privacy rewrites never break the evidence", () => {
  test("after a redaction switch (users hashed, document names omitted) the audit still verifies intact", async () => {
    rig.configure({ AUDIT_REDACT_USERS: "hash", AUDIT_OMIT_DOCUMENT_NAMES: "true" });
    await runScheduledAudit(rig, { timeoutMs: 20_000 });
    const jobs = await rowsOf("Jobs");
    assert.ok(jobs.every((r) => String(r.PrivacyUsers).startsWith("hash:") && r.DocumentNames === undefined));
    const report = await verify();
    assert.deepEqual(report.findings, []);
    assert.equal(report.rowsChecked, jobs.length + (await rowsOf("Tasks")).length);
  });

  test("after an erasure the facts left verify intact", async () => {
    const user = rig.sim.job(printers[0]!, "1").createdBy as { userPrincipalName: string };
    const response = await fetch(`${rig.api}/audit/erasures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: user.userPrincipalName }),
    });
    assert.equal(response.status, 200, await response.text());
    assert.ok((await rowsOf("Jobs")).some((r) => r.CreatedBy === "erased"));
    assert.deepEqual((await verify()).findings, []);
  });
});

describe("GET /api/audit/integrity", () => {
  async function get(query: string): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${rig.api}/audit/integrity${query}`);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  test("answers 200 with intact, the rows checked and no findings for a day", async () => {
    const { status, body } = await get(`?from=${firstDay}&to=${today}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.intact, true);
    assert.deepEqual(body.findings, []);
    assert.equal(body.rowsChecked, (await rowsOf("Jobs")).length + (await rowsOf("Tasks")).length);
  });

  test("answers 202 with a Location for a long range, whose poll answers the report once the check ran", async () => {
    const from = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const started = await get(`?from=${from}&to=${today}`);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const location = started.headers.get("location")!;
    assert.match(location, /\/audit\/integrity\/checks\/\d{8}T\d{9}Z-[0-9a-f]{8}$/);
    assert.ok(Number(started.headers.get("retry-after")) > 0);
    await rig.host.waitForQueuesIdle({ timeoutMs: 30_000 });
    const done = await fetch(location);
    const report = (await done.json()) as { intact: boolean; rowsChecked: number };
    assert.equal(done.status, 200, JSON.stringify(report));
    assert.equal(report.intact, true);
    assert.ok(report.rowsChecked > 0);
  });

  test("bad input answers 400 naming the option: missing or invalid days, from after to, a range too long, an unknown option", async () => {
    const cases: [string, string][] = [
      ["", "from"],
      [`?from=${today}`, "to"],
      ["?from=2026-02-30&to=2026-03-01", "from"],
      ["?from=yesterday&to=2026-03-01", "from"],
      ["?from=2026-03-02&to=2026-03-01", "to"],
      ["?from=2000-01-01&to=2026-03-01", "to"],
      [`?from=${today}&to=${today}&top=5`, "top"],
      [`?from=${today}&from=${today}&to=${today}`, "from"],
    ];
    for (const [query, target] of cases) {
      const { status, body } = await get(query);
      assert.equal(status, 400, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, "badRequest");
      assert.equal(body.error.target, target, query);
    }
    assert.equal((await fetch(`${rig.api}/audit/integrity/checks/nope`)).status, 400);
    assert.equal((await fetch(`${rig.api}/audit/integrity/checks/20261206T101500123Z-0a1b2c3d`)).status, 404);
  });
});

describe("the evidence pack", () => {
  /** Writes a pack with npm run verify's code, then runs the auditor's script in it: its exit code and output. */
  async function packAndCheck(): Promise<{ verifyCode: number; code: number; output: string; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), "evidence-pack-"));
    const args = [
      "--connection-string",
      rig.azurite!.connectionString,
      "--prefix",
      prefix,
      "--from",
      firstDay,
      "--to",
      today,
    ];
    const verifyCode = await runVerify(parseVerifyArgs([...args, "--pack", dir]), noCredential);
    try {
      const output = execFileSync(process.execPath, ["verify-evidence.mjs"], { cwd: dir, encoding: "utf8" });
      return { verifyCode, code: 0, output, dir };
    } catch (error) {
      const e = error as { status: number; stdout: string };
      return { verifyCode, code: e.status, output: e.stdout, dir };
    }
  }

  test("holds the rows (facts only), the anchored links, the report and a stand-alone script that finds it intact", async () => {
    const { verifyCode, code, output, dir } = await packAndCheck();
    assert.equal(verifyCode, 0);
    assert.equal(code, 0, output);
    assert.match(output, /INTACT: every row matches/);
    assert.deepEqual(readdirSync(dir).sort(), [
      "README.txt",
      "evidence.json",
      "links.jsonl",
      "report.json",
      "rows.jsonl",
      "verify-evidence.mjs",
    ]);
    const rows = readFileSync(join(dir, "rows.jsonl"), "utf8");
    assert.doesNotMatch(rows, /CreatedBy|DocumentNames|JobStateDescription|Report \d/, "no person, no document name");
    assert.doesNotMatch(
      readFileSync(join(dir, "verify-evidence.mjs"), "utf8"),
      /from "(?!node:)/,
      "node: modules only",
    );
  });

  test("its script names a row altered after the pack's rows were read from the tables", async () => {
    const [row] = (await rowsOf("Tasks")).filter((r) => r.TaskState === "completed");
    await table("Tasks").updateEntity({ ...plain(row!), TaskState: "aborted" }, "Replace");
    try {
      const { verifyCode, code, output } = await packAndCheck();
      assert.equal(verifyCode, 1);
      assert.equal(code, 1, output);
      assert.match(
        output,
        new RegExp(`ALTERED  ${prefix}Tasks  ${row!.partitionKey}  ${row!.rowKey.replace(/[|]/g, "\\|")}`),
      );
      assert.match(output, /NOT INTACT: 1 finding/);
    } finally {
      await table("Tasks").updateEntity(plain(row!), "Replace");
    }
  });
});
