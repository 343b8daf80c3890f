/**
 * Privacy that holds, against Azurite and the Universal Print simulator: free text scrubbed at record time,
 * old rows rewritten when redaction is turned on or the key rotates (also after a crash mid-way), erasure
 * on request and its stickiness, and a UPN lookup that finds a person's rows whatever mode recorded them.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { eraseUser } from "../../src/audit/redaction";
import { pseudonym, pseudonymKey, rekeyed } from "../../src/audit/privacy";
import { redactionFaultPoints } from "../../src/audit/redaction";
import { AuditStore, tableClientFactory } from "../../src/audit/store";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

let rig: Rig;
const printerId = printerIdFor(41);
let prefix = "";
let counter = 0;
const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");

const people = [
  { id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd", name: "John Smith", upn: "john.smith@contoso.com" },
  { id: "2f6b1c4e-9a51-4a3c-8a53-0d5a0a1f7c21", name: "Pat Kim", upn: "pat.kim@contoso.com" },
  { id: "c3e0f0aa-77d1-4b8e-9e5e-3a1b2c3d4e5f", name: "Ana Souza", upn: "ana.souza@contoso.com" },
  { id: "5a8e1d2c-0b9f-4e3a-8c7d-6f5e4d3c2b1a", name: "Li Wei", upn: "li.wei@contoso.com" },
];
const pat = people[1]!;
/** Everything that identifies a person or a document, as a pattern over stored rows. */
const plaintext =
  /john|smith|pat\.kim|pat kim|ana\.souza|souza|li\.wei|li wei|contoso\.com|payslip|report \d|87d349ed|2f6b1c4e|c3e0f0aa|5a8e1d2c/i;

/** Job n belongs to people[n % 4] (makeJob's rule); job 1 is Pat's payslip, held with a description naming her. */
function addJobs(from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    const job = makeJob(printerId, n, { tasks: 2, state: n % 3 === 0 ? "processing" : "completed" });
    const person = people[n % 4]!;
    if (n % 4 === 1) {
      job.status!.description = `Held for release: ${person.name} (${person.upn}) - Payslip ${person.name}.pdf`;
      job.documents![0]!.displayName = `Payslip ${person.name}.pdf`;
      for (const task of job.tasks ?? [])
        task.status = {
          state: "completed",
          description: `Released by ${person.upn.split("@")[0]!.toUpperCase()} for ${person.name.toLowerCase()}`,
        };
    }
    rig.sim.addJob(printerId, job);
  }
}

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 5 } });
  rig.sim.addPrinter({ id: printerId, displayName: "Privacy printer" });
  addJobs(1, 12);
  await serveAuditQueues(rig);
});
after(() => rig.stop());
beforeEach(() => {
  delete redactionFaultPoints.afterJobRewritten;
});

function fresh(env: Record<string, string | undefined> = {}): void {
  prefix = `p${++counter}x${Date.now().toString(36)}`;
  settings({ AUDIT_REDACT_USERS: undefined, AUDIT_OMIT_DOCUMENT_NAMES: undefined, AUDIT_HASH_KEY: keyA, ...env });
}

function settings(env: Record<string, string | undefined>): void {
  rig.configure({ AUDIT_TABLE_PREFIX: prefix, AUDIT_PRINTER_IDS: printerId, ...env });
}

type Table = "Jobs" | "Tasks" | "Current" | "Runs" | "Privacy";
function table(name: Table): TableClient {
  return TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${name}`, {
    allowInsecureConnection: true,
  });
}
async function rows(name: Table): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  try {
    for await (const e of table(name).listEntities()) out.push(e);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return out;
}
async function auditRows(): Promise<Record<string, any>[]> {
  return [...(await rows("Jobs")), ...(await rows("Tasks")), ...(await rows("Current"))];
}
/** Every row of the tables derived from the history (indexes, events, summaries): whatever tables the store names besides the recorded ones. */
async function derivedTableRows(): Promise<Record<string, any>[]> {
  const names = testStore().tables;
  const recorded = new Set([names.jobs, names.tasks, names.current, names.runs, names.privacy]);
  const out: Record<string, any>[] = [];
  for (const name of Object.values(names).filter((n) => !recorded.has(n))) {
    try {
      for await (const e of TableClient.fromConnectionString(rig.azurite!.connectionString, name, {
        allowInsecureConnection: true,
      }).listEntities())
        out.push(e);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return out;
}
function testStore(): AuditStore {
  return new AuditStore(
    prefix,
    tableClientFactory({ kind: "connectionString", connectionString: rig.azurite!.connectionString }, () => {
      throw new Error("no credential in tests");
    }),
  );
}

const runAudit = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${rig.api}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
async function lookup(user: string): Promise<Record<string, any>[]> {
  const { status, body } = await api(`/audit/jobs?user=${encodeURIComponent(user)}&top=1000`);
  assert.equal(status, 200, JSON.stringify(body));
  return body.value;
}
async function erase(user: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  return api("/audit/erasures", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user }),
  });
}

describe("free text is scrubbed when redaction is on", () => {
  test("hash with omitted document names: the description, details and task descriptions hold pseudonyms and omitted", async () => {
    fresh({ AUDIT_REDACT_USERS: "hash", AUDIT_OMIT_DOCUMENT_NAMES: "true" });
    await runAudit();
    const stored = await auditRows();
    assert.ok(stored.length > 0);
    assert.doesNotMatch(JSON.stringify(stored), plaintext);
    const key = pseudonymKey(Buffer.from(keyA, "base64"));
    const job = (await rows("Jobs")).find((r) => r.JobId === "1")!;
    const person = pseudonym(pat.upn, key);
    assert.equal(job.JobStateDescription, `Held for release: ${person} (${person}) - omitted`);
    assert.equal(job.CreatedBy, person);
    const task = (await rows("Tasks")).find((r) => r.JobId === "1")!;
    assert.equal(task.TaskDescription, `Released by ${person} for ${person}`);
    assert.ok(stored.every((r) => r.PrivacyUsers === `hash:${key.id}` && r.PrivacyDocuments === "omit"));
  });

  test("omit: identifiers become omitted; none keeps the text as Graph sent it", async () => {
    fresh({ AUDIT_REDACT_USERS: "omit" });
    await runAudit();
    const job = (await rows("Jobs")).find((r) => r.JobId === "1")!;
    // Document names are kept unless omitted: in the column and, whole, in the text.
    assert.equal(job.JobStateDescription, "Held for release: omitted (omitted) - Payslip Pat Kim.pdf");
    assert.equal(job.DocumentNames, "Payslip Pat Kim.pdf");
    fresh();
    await runAudit();
    const plain = (await rows("Jobs")).find((r) => r.JobId === "1")!;
    assert.equal(plain.JobStateDescription, "Held for release: Pat Kim (pat.kim@contoso.com) - Payslip Pat Kim.pdf");
  });
});

describe("turning redaction on rewrites the rows already recorded", () => {
  test("none, then hash with omitted document names: the first timer run leaves no plaintext, and a UPN still finds the rows", async () => {
    fresh();
    await runAudit();
    const before = await auditRows();
    assert.match(JSON.stringify(before), plaintext);
    assert.match(
      JSON.stringify(await derivedTableRows()),
      plaintext,
      "the derived tables hold names too before the switch",
    );
    const patRows = await lookup(pat.upn);
    assert.ok(patRows.length >= 3);

    settings({ AUDIT_REDACT_USERS: "hash", AUDIT_OMIT_DOCUMENT_NAMES: "true" });
    await runAudit();
    const afterRows = await auditRows();
    assert.equal(afterRows.length, before.length, "rewritten in place: no row lost or added");
    assert.doesNotMatch(JSON.stringify(afterRows), plaintext);
    const leftInClear = (await derivedTableRows())
      .filter((r) => plaintext.test(JSON.stringify(r)))
      .map((r) => `${r.partitionKey} ${r.rowKey}`);
    assert.deepEqual(leftInClear, [], "indexes, events and summaries are rewritten too");
    const key = pseudonymKey(Buffer.from(keyA, "base64"));
    assert.ok(afterRows.every((r) => r.PrivacyUsers === `hash:${key.id}` && r.PrivacyDocuments === "omit"));
    // Job facts stay: states, times, printer, counts.
    const facts = (r: Record<string, any>): unknown[] => [
      r.partitionKey,
      r.rowKey,
      r.JobState,
      r.CreatedDateTime,
      r.Copies,
      r.DocumentCount,
      r.TaskState,
    ];
    assert.deepEqual(afterRows.map(facts), before.map(facts));
    assert.deepEqual(
      (await lookup(pat.upn)).map((r) => r.JobId).sort(),
      patRows.map((r) => r.JobId).sort(),
      "UPN lookup after the rewrite",
    );
    assert.deepEqual((await lookup(pat.id)).length, patRows.length, "id lookup after the rewrite");

    const runs = await rows("Runs");
    const progress = runs.find((r) => r.rowKey === "redaction")!;
    assert.ok(progress, "the run rows show the rewrite");
    assert.equal(progress.Status, "succeeded");
    assert.equal(progress.Complete, true);
    assert.equal(progress.RowsRewritten, before.length);
    assert.ok(rig.host.logs.some((l) => /auditRedaction run=\S+ rowsRewritten=\d+/.test(l.message)));
    assert.ok(
      !rig.host.logs.some((l) => plaintext.test(l.message) && /auditRedaction/.test(l.message)),
      "progress logs name no one",
    );
  });

  test("a crash mid-rewrite leaves plaintext only until the next run, which finishes it; a UPN finds every row meanwhile", async () => {
    fresh();
    await runAudit();
    settings({ AUDIT_REDACT_USERS: "omit" });
    redactionFaultPoints.afterJobRewritten = (n) => {
      if (n === 4) throw new Error("simulated crash after 4 jobs");
    };
    await runAudit();
    const partway = await auditRows();
    assert.ok(
      partway.some((r) => r.PrivacyUsers === "omit"),
      "some jobs were rewritten",
    );
    assert.ok(
      partway.some((r) => r.PrivacyUsers === "none" && typeof r.CreatedBy === "string"),
      "some still in clear",
    );
    assert.ok(
      (await rows("Runs")).some((r) => r.rowKey === "redaction" && r.Status === "failed"),
      "the failed step shows in the run rows",
    );

    delete redactionFaultPoints.afterJobRewritten;
    await runAudit();
    const done = await auditRows();
    // Document names are kept under this policy (in their column and, whole, in the text); nothing else names anyone.
    const withoutDocuments = JSON.stringify(done.map(({ DocumentNames: _d, ...r }) => r)).replace(
      /Payslip [A-Za-z ]+\.pdf/g,
      "",
    );
    assert.doesNotMatch(withoutDocuments, /john|smith|pat|souza|li\.wei|contoso|87d349ed|2f6b1c4e/i);
    assert.ok(
      done.every((r) => r.CreatedBy === undefined && r.CreatedByName === undefined && r.PrivacyUsers === "omit"),
    );
    assert.equal(done.length, partway.length);
  });

  test("during a rewrite to hash, a UPN lookup finds rows in clear and rows already pseudonymized alike", async () => {
    fresh();
    await runAudit();
    const patRows = await lookup(pat.upn);
    settings({ AUDIT_REDACT_USERS: "hash" });
    redactionFaultPoints.afterJobRewritten = (n) => {
      if (n === 3) throw new Error("simulated crash after 3 jobs");
    };
    await runAudit();
    const found = await lookup(pat.upn);
    assert.equal(found.length, patRows.length);
    assert.ok(found.some((r) => r.CreatedBy === pat.upn) || found.every((r) => /^[0-9a-f]{64}$/.test(r.CreatedBy)));
    delete redactionFaultPoints.afterJobRewritten;
    await runAudit();
    assert.equal((await lookup(pat.upn)).length, patRows.length);
    assert.ok((await lookup(pat.upn)).every((r) => /^[0-9a-f]{64}$/.test(r.CreatedBy)));
  });

  test("a rotated key re-keys every pseudonym: the old key no longer matches any row, one person's rows stay grouped", async () => {
    fresh({ AUDIT_REDACT_USERS: "hash" });
    await runAudit();
    const before = await rows("Jobs");
    const a = pseudonymKey(Buffer.from(keyA, "base64"));
    const b = pseudonymKey(Buffer.from(keyB, "base64"));
    settings({ AUDIT_REDACT_USERS: "hash", AUDIT_HASH_KEY: keyB });
    await runAudit();
    const afterRows = await rows("Jobs");
    const byKey = new Map(before.map((r) => [r.rowKey, r]));
    for (const row of afterRows) {
      const old = byKey.get(row.rowKey)!;
      assert.equal(row.PrivacyUsers, `hash:${b.id}`);
      assert.equal(row.CreatedBy, rekeyed(old.CreatedBy, b));
      assert.notEqual(row.CreatedBy, pseudonym(pat.upn, a));
    }
    assert.equal((await lookup(pat.upn)).length, 0, "rows recorded before the rotation no longer match a UPN");
    assert.doesNotMatch(JSON.stringify(await auditRows()), new RegExp(pseudonym(pat.upn, a)));
  });

  test("rows hashed with the old public salt (no marker) are re-keyed", async () => {
    fresh();
    await runAudit();
    const jobs = table("Jobs");
    const { createHmac } = await import("node:crypto");
    const salted = (v: string): string =>
      createHmac("sha256", "universal-print-jobs").update(v.toLowerCase()).digest("hex");
    for (const row of await rows("Jobs")) {
      const { etag: _e, timestamp: _t, CreatedByName: _n, PrivacyUsers: _u, PrivacyDocuments: _d, ...rest } = row;
      await jobs.updateEntity(
        { ...rest, CreatedBy: salted(row.CreatedBy), CreatedById: salted(row.CreatedById) } as never,
        "Replace",
      );
    }
    settings({ AUDIT_REDACT_USERS: "hash" });
    await runAudit();
    const key = pseudonymKey(Buffer.from(keyA, "base64"));
    for (const row of await rows("Jobs")) {
      assert.equal(row.PrivacyUsers, `hash:${key.id}`);
      assert.notEqual(row.CreatedBy, salted(people[Number(row.JobId) % 4]!.upn), "the salted hash is gone");
    }
  });
});

describe("erasure on request", () => {
  test("POST /api/audit/erasures erases every row of the person, keeps the job facts, and answers with the count", async () => {
    fresh();
    await runAudit();
    const before = await auditRows();
    const patJobs = new Set(before.filter((r) => r.CreatedBy === pat.upn).map((r) => r.JobId));
    const expected = before.filter((r) => patJobs.has(r.JobId)).length;
    assert.ok(expected > 3);

    const { status, body } = await erase("Pat.Kim@Contoso.com");
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.status, "completed");
    assert.equal(body.rowsChanged, expected);
    assert.equal(body.requestedBy, "function key");
    assert.equal(body.subject, undefined);

    const afterRows = await auditRows();
    assert.equal(afterRows.length, before.length);
    const patAfter = afterRows.filter((r) => patJobs.has(r.JobId));
    assert.doesNotMatch(JSON.stringify(patAfter), /pat|kim|payslip|2f6b1c4e|report/i);
    assert.doesNotMatch(
      JSON.stringify(await derivedTableRows()),
      /pat\.kim|pat kim|payslip|2f6b1c4e/i,
      "indexes, events and summaries forget the person too",
    );
    for (const row of patAfter.filter((r) => r.CreatedBy !== undefined)) {
      assert.equal(row.CreatedBy, "erased");
      assert.equal(row.CreatedById, "erased");
      assert.equal(row.CreatedByName, "erased");
      assert.equal(row.DocumentNames, "erased");
    }
    const job1 = afterRows.find((r) => r.JobId === "1" && r.rowKey.includes("|"))!;
    assert.equal(job1.JobStateDescription, "Held for release: erased (erased) - erased");
    const facts = (r: Record<string, any>): unknown[] => [
      r.rowKey,
      r.JobState,
      r.CreatedDateTime,
      r.PrinterId,
      r.Copies,
      r.DocumentCount,
      r.TaskState,
    ];
    assert.deepEqual(patAfter.map(facts), before.filter((r) => patJobs.has(r.JobId)).map(facts));
    // Nobody else's rows changed.
    const others = (list: Record<string, any>[]): unknown[] =>
      list.filter((r) => !patJobs.has(r.JobId)).map(({ etag: _e, timestamp: _t, ...r }) => r);
    assert.deepEqual(others(afterRows), others(before));
    assert.equal((await lookup(pat.upn)).length, 0);

    // The record: when, by whom, how many rows; the person only as a keyed hash.
    const records = (await rows("Privacy")).filter((r) => r.partitionKey === "erasure");
    assert.equal(records.length, 1);
    assert.equal(records[0]!.RowsChanged, expected);
    assert.doesNotMatch(JSON.stringify(await rows("Privacy")), /pat|kim|contoso|2f6b1c4e/i);
    const status2 = await api(`/audit/erasures/${body.erasureId}`);
    assert.equal(status2.status, 200);
    assert.equal(status2.body.rowsChanged, expected);
    assert.ok(!rig.host.logs.some((l) => /pat\.kim|Pat Kim/i.test(l.message)), "no log line names the person");
  });

  test("erasure is sticky: a later job of the person is stored erased, under any mode", async () => {
    fresh({ AUDIT_REDACT_USERS: "hash" });
    await runAudit();
    assert.equal((await erase(pat.id)).status, 200);
    addJobs(13, 13);
    addJobs(17, 17);
    try {
      await runAudit();
      const rowsOf13 = (await auditRows()).filter((r) => r.JobId === "13" || r.JobId === "17");
      assert.ok(rowsOf13.length >= 3);
      const personal = rowsOf13.map(({ JobFingerprint: _j, TasksFingerprint: _t, ...r }) => r);
      assert.doesNotMatch(JSON.stringify(personal), /pat|kim|payslip|2f6b1c4e|[0-9a-f]{64}/i, "no name, no pseudonym");
      assert.ok(rowsOf13.every((r) => r.PrivacyUsers === "erased"));
      assert.ok(rowsOf13.filter((r) => r.CreatedBy !== undefined).every((r) => r.CreatedBy === "erased"));
      // The erasure by id reached the rows found through the UPN's pseudonym as well, pseudonyms in free text included.
      const earlier = (await auditRows()).filter((r) => Number(r.JobId) % 4 === 1);
      assert.ok(earlier.length > 3 && earlier.every((r) => r.PrivacyUsers === "erased"));
      assert.equal(
        earlier.find((r) => r.JobId === "1" && r.JobStateDescription)!.JobStateDescription,
        "Held for release: erased (erased) - erased",
      );
    } finally {
      rig.sim.printers.get(printerId)!.jobs.delete("13");
      rig.sim.printers.get(printerId)!.jobs.delete("17");
    }
  });

  test("an erasure that runs past its budget answers 202 and the next timer run finishes it", async () => {
    fresh();
    await runAudit();
    const store = testStore();
    const key = pseudonymKey(Buffer.from(keyA, "base64"));
    const record = await eraseUser(store, { redactUsers: "none", omitDocumentNames: false, key }, pat.upn, {
      requestedBy: "test",
      deadline: Date.now() - 1,
    });
    assert.equal(record.status, "running");
    const pending = await api(`/audit/erasures/${record.erasureId}`);
    assert.equal(pending.status, 200);
    assert.equal(pending.body.status, "running");
    assert.equal(pending.headers.get("retry-after"), "60");
    await runAudit();
    const done = await api(`/audit/erasures/${record.erasureId}`);
    assert.equal(done.body.status, "completed");
    assert.ok(done.body.rowsChanged > 3);
    assert.doesNotMatch(JSON.stringify(await auditRows()), /pat\.kim|Pat Kim|2f6b1c4e/i);
  });

  test("bad requests are 400s naming the part; without a key, 503 naming AUDIT_HASH_KEY; the route is admin-only", async () => {
    fresh();
    for (const body of [
      "",
      "{",
      "[]",
      JSON.stringify({ user: "" }),
      JSON.stringify({ user: 5 }),
      JSON.stringify({ user: "a\nb" }),
      JSON.stringify({ user: "x", extra: 1 }),
    ]) {
      const r = await api("/audit/erasures", { method: "POST", headers: { "content-type": "application/json" }, body });
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error.code, "badRequest");
    }
    assert.equal((await api("/audit/erasures/nope")).status, 400);
    assert.equal((await api("/audit/erasures/20261129T200102345Z-0a1b2c3d4e5f")).status, 404);
    settings({ AUDIT_HASH_KEY: undefined });
    const noKey = await erase(pat.upn);
    assert.equal(noKey.status, 503);
    assert.equal(noKey.body.error.code, "pseudonymKeyUnavailable");
    assert.match(noKey.body.error.message, /AUDIT_HASH_KEY/);
    const routes = rig.host.httpRoutes().filter((r) => r.route.startsWith("audit/erasures"));
    assert.deepEqual(
      routes.map((r) => r.authLevel),
      ["admin", "admin"],
    );
  });
});
