// Until the Graph app roles are in the app's token, the app says exactly that: the get-job 403, the audit's run rows,
// its AuditRunFailed log line, its PrinterAudited events and the failed-audit alert name the missing roles; the token
// itself never shows.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { type AccessToken, type TokenCredential } from "@azure/core-auth";
import { runIdPattern } from "../../src/audit/keys";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { graphAccessAdvice, missingGraphRoles, rolesOfAccessToken, TokenRoleWatcher } from "../../src/graph/tokenRoles";
import { makeToken } from "../../sandbox/tokens";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant, addSeedPrinter, seedJobId, seedPrinterId } from "../../sandbox/tenant";

const both = ["PrintJob.ReadBasic.All", "Printer.Read.All"];

describe("reading the roles claim of the app's own token", () => {
  test("a JWT's roles and issue time; an opaque token is unknown, not 'no roles'", () => {
    const token = makeToken({
      aud: "https://graph.microsoft.com",
      roles: ["PrintJob.ReadBasic.All"],
      iat: 1_700_000_000,
    });
    assert.deepEqual(rolesOfAccessToken(token), {
      roles: ["PrintJob.ReadBasic.All"],
      issuedOnTimestamp: 1_700_000_000_000,
    });
    assert.deepEqual(
      rolesOfAccessToken(makeToken({ aud: "x" })),
      { roles: [], issuedOnTimestamp: undefined },
      "no roles claim: no roles",
    );
    assert.equal(rolesOfAccessToken("opaque-token-value"), undefined);
    assert.equal(rolesOfAccessToken("a.%%%.c"), undefined);
    assert.equal(rolesOfAccessToken(`a.${Buffer.from("[1,2]").toString("base64url")}.c`), undefined);
    // An issue time that is not a date is left out rather than breaking the message.
    const odd = rolesOfAccessToken(makeToken({ roles: [], iat: 1e300 }));
    assert.deepEqual(odd, { roles: [], issuedOnTimestamp: undefined });
    assert.match(graphAccessAdvice({ ...odd!, expiresOnTimestamp: 0 }), /its Graph token lacks/);
  });

  test("the watcher passes the token through and keeps only its roles", async () => {
    const token = makeToken({ roles: both, iat: 1_700_000_000, secretish: "never-kept" });
    const inner: TokenCredential = {
      getToken: (): Promise<AccessToken> => Promise.resolve({ token, expiresOnTimestamp: 42 }),
    };
    const watcher = new TokenRoleWatcher(inner);
    assert.equal(watcher.current(), undefined, "nothing known before the first token");
    assert.equal((await watcher.getToken("https://graph.microsoft.com/.default"))?.token, token);
    assert.deepEqual(watcher.current(), { roles: both, issuedOnTimestamp: 1_700_000_000_000, expiresOnTimestamp: 42 });
    assert.ok(!JSON.stringify(watcher.current()).includes(token.split(".")[1]!), "the claims are not kept whole");
    assert.deepEqual(missingGraphRoles(watcher.current()), []);
    assert.deepEqual(missingGraphRoles(undefined), both, "unknown: all are named");
  });

  test("the advice: roles missing, roles all there (another cause), or not known", () => {
    const missing = graphAccessAdvice({
      roles: ["PrintJob.ReadBasic.All", "<script>"],
      expiresOnTimestamp: 0,
      issuedOnTimestamp: Date.UTC(2026, 10, 29, 9),
    });
    assert.match(
      missing,
      /its Graph token \(issued 2026-11-29T09:00:00\.000Z\) lacks Printer\.Read\.All \(it carries PrintJob\.ReadBasic\.All\)/,
    );
    assert.match(missing, /cached for up to about 24 hours/);
    assert.match(missing, /Restart the function app/);
    assert.doesNotMatch(missing, /<script>/, "only role-shaped values are repeated");
    const none = graphAccessAdvice({ roles: [], expiresOnTimestamp: 0 });
    assert.match(none, /lacks PrintJob\.ReadBasic\.All and Printer\.Read\.All \(it carries no roles\)/);
    const other = graphAccessAdvice({ roles: both, expiresOnTimestamp: 0 });
    assert.match(
      other,
      /carries PrintJob\.ReadBasic\.All and Printer\.Read\.All, so Graph refused for another reason: .*Universal Print subscription/,
    );
    assert.doesNotMatch(other, /24 hours/);
    assert.match(
      graphAccessAdvice(undefined),
      /needs the Microsoft Graph application roles PrintJob\.ReadBasic\.All and Printer\.Read\.All .*24 hours/,
    );
  });
});

describe("in the running app", () => {
  let rig: Rig;
  let printers: string[];
  let prefixCounter = 0;
  let identityCounter = 0;
  /** A user-assigned identity not used before (the process caches tokens per identity, as a running app does). */
  const freshIdentity = (): string =>
    `00000000-0000-4000-8000-${(900_000 + ++identityCounter).toString().padStart(12, "0")}`;

  before(async () => {
    rig = await startRig({ storage: true, tenant: addSeedPrinter });
    printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 3, tasksPerJob: 1 });
    await serveAuditQueues(rig);
  });
  after(() => rig.stop());
  beforeEach(() => {
    rig.sim.clearFaults();
    rig.identity.roles = [...both];
  });

  async function getJob(): Promise<{ status: number; body: any }> {
    const response = await fetch(`${rig.api}/printers/${seedPrinterId}/jobs/${seedJobId}`);
    return { status: response.status, body: await response.json() };
  }

  test("get-job 403 names the role the token lacks; granting alone does not help while the token is cached; a restart does", async () => {
    rig.identity.roles = ["PrintJob.ReadBasic.All"];
    rig.configure({ AZURE_CLIENT_ID: freshIdentity() });
    const refused = await getJob();
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "graphAccessDenied");
    assert.match(
      refused.body.error.message,
      /its Graph token \(issued [^)]+\) lacks Printer\.Read\.All \(it carries PrintJob\.ReadBasic\.All\)/,
    );
    assert.match(refused.body.error.message, /cached for up to about 24 hours/);
    assert.match(
      refused.body.error.message,
      /Restart the function app \(az functionapp restart, or Restart in the portal\)/,
    );
    for (const token of rig.identity.issuedTokens)
      assert.ok(!JSON.stringify(refused.body).includes(token), "the token is never in the answer");

    // The grant lands, but the app keeps using the token it has: still refused, still naming the missing role.
    rig.identity.roles = [...both];
    const stillCached = await getJob();
    assert.equal(stillCached.status, 403);
    assert.match(stillCached.body.error.message, /lacks Printer\.Read\.All/);

    // A restart: a new process with no token asks the identity endpoint again and gets the roles.
    rig.configure({ AZURE_CLIENT_ID: freshIdentity() });
    assert.equal((await getJob()).status, 200);
  });

  test("a 403 although the token has both roles says it is something else", async () => {
    rig.configure({ AZURE_CLIENT_ID: freshIdentity() });
    rig.sim.inject({ path: /jobs\/5182$/, status: 403, code: "accessDenied" });
    const refused = await getJob();
    assert.equal(refused.status, 403);
    assert.match(
      refused.body.error.message,
      /carries PrintJob\.ReadBasic\.All and Printer\.Read\.All, so Graph refused for another reason/,
    );
  });

  test("a run whose job reads Graph refuses (403 in $batch) says on its run row that the token has both roles", async () => {
    const prefix = `mr${++prefixCounter}x${Date.now().toString(36)}`;
    rig.configure({ AZURE_CLIENT_ID: freshIdentity(), AUDIT_TABLE_PREFIX: prefix, AUDIT_PRINTER_IDS: printers[0]! });
    rig.sim.inject({ path: /\/jobs\/[^/]+$/, inBatch: true, status: 403, code: "accessDenied" });
    await runScheduledAudit(rig, { timeoutMs: 20_000 });
    const runs = TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}Runs`, {
      allowInsecureConnection: true,
    });
    const rows: Record<string, unknown>[] = [];
    for await (const row of runs.listEntities()) if (runIdPattern.test(String(row.partitionKey))) rows.push(row);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row!.MissingGraphRoles, "");
    assert.match(String(row!.LastError), /answered 403 accessDenied in \$batch/);
    assert.match(
      String(row!.LastError),
      /carries PrintJob\.ReadBasic\.All and Printer\.Read\.All, so Graph refused for another reason/,
    );
  });

  test("a refused audit run: its run row, its PrinterAudited events and the alert's dimension name the missing roles", async () => {
    const prefix = `mr${++prefixCounter}x${Date.now().toString(36)}`;
    rig.identity.roles = [];
    rig.configure({
      AZURE_CLIENT_ID: freshIdentity(),
      AUDIT_TABLE_PREFIX: prefix,
      AUDIT_PRINTER_IDS: printers.join(","),
    });
    const logsBefore = rig.host.logs.length;
    await runScheduledAudit(rig, { timeoutMs: 20_000 });
    const runs = TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}Runs`, {
      allowInsecureConnection: true,
    });
    const rows: Record<string, any>[] = [];
    // The run's printer rows (the index backfill keeps its marker in the same table).
    for await (const row of runs.listEntities()) if (runIdPattern.test(String(row.partitionKey))) rows.push(row);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(row.Status, "poisoned");
      assert.equal(row.MissingGraphRoles, "PrintJob.ReadBasic.All,Printer.Read.All");
      assert.match(row.LastError, /403 accessDenied/);
      assert.match(
        row.LastError,
        /lacks PrintJob\.ReadBasic\.All and Printer\.Read\.All \(it carries no roles\).*24 hours.*Restart the function app/,
      );
    }

    const lines = rig.host.logs.slice(logsBefore).filter((l) => l.message.startsWith("AuditRunFailed"));
    assert.ok(lines.length >= 2 * 5, "every attempt and the poisoned message say so");
    // The alert reads the roles from the PrinterAudited event each failed attempt emits (docs/portal.md).
    const events = rig.host.logs
      .slice(logsBefore)
      .filter((l) => l.message.startsWith('{"event":"PrinterAudited"'))
      .map((l) => JSON.parse(l.message) as { outcome: string; reason: string; missingRoles: string });
    assert.ok(events.length >= 2 * 5, "every attempt says so");
    for (const event of events) {
      assert.deepEqual([event.outcome, event.reason], ["failed", "graph403"]);
      assert.equal(event.missingRoles, "PrintJob.ReadBasic.All,Printer.Read.All");
    }
    const templatePath = resolve(__dirname, "..", "..", "..", "dist", "infra", "main.json");
    if (existsSync(templatePath)) assertAlertReadsMissingRoles(readFileSync(templatePath, "utf8"));
    else assert.ok(!process.env.CI, "CI builds the template first");
    for (const token of rig.identity.issuedTokens) {
      assert.ok(!rig.host.logs.some((l) => l.message.includes(token)), "no token in the logs");
    }
  });
});

/** The failed-audit alert's KQL takes MissingRoles from the missingRoles of the failed PrinterAudited events. */
function assertAlertReadsMissingRoles(templateText: string): void {
  assert.match(templateText, /message startswith '\{\\"event\\":\\"PrinterAudited\\"'/);
  assert.match(templateText, /where tostring\(e\.outcome\) == 'failed'/);
  assert.match(templateText, /MissingRoles = tostring\(e\.missingRoles\)/);
}

test("the failed-audit alert splits on MissingRoles and tells what to do", () => {
  const templatePath = resolve(__dirname, "..", "..", "..", "dist", "infra", "main.json");
  if (!existsSync(templatePath)) {
    assert.ok(!process.env.CI, "CI builds the template first");
    return;
  }
  const text = readFileSync(templatePath, "utf8");
  assert.match(text, /\| extend MissingRoles = iff\(isempty\(MissingRoles\), 'none', MissingRoles\)/);
  assert.match(
    text,
    /"dimensions": \[\s*\{\s*"name": "MissingRoles",\s*"operator": "Include",\s*"values": \[\s*"\*"\s*\]/,
  );
  assert.match(
    text,
    /MissingRoles dimension .*grant them \(npm run grant-graph-permissions\), then restart the function app/,
  );
  assertAlertReadsMissingRoles(text);
});
