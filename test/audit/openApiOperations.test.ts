// The audit read API's answers match the OpenAPI definition the connector is built from (GetJobTimeline, ListAuditJobs),
// read from tables an audit run really wrote to Azurite.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertMatchesDefinition } from "../rig/openapi";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant } from "../../sandbox/tenant";

let rig: Rig;
let printers: string[];

before(async () => {
  rig = await startRig({ storage: true });
  printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 4, tasksPerJob: 1 });
  rig.configure({ AUDIT_TABLE_PREFIX: `oa${Date.now().toString(36)}`, AUDIT_PRINTER_IDS: printers.join(",") });
  await serveAuditQueues(rig);
  await runAudit();
  rig.sim.setJobState(printers[0]!, "1", "completed");
  await runAudit();
});
after(() => rig.stop());

const runAudit = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

type OperationId = "GetJobAuditTimeline" | "ListAuditJobs";

async function call(
  operationId: OperationId,
  pathOrUrl: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${rig.api}${pathOrUrl}`;
  const response = await fetch(url);
  const text = await response.text();
  const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  assertMatchesDefinition(operationId, answer);
  return answer;
}

describe("Get job audit timeline (GetJobAuditTimeline)", () => {
  test("a recorded job's timeline matches the definition, states oldest first", async () => {
    const { status, body } = await call("GetJobAuditTimeline", `/audit/printers/${printers[0]}/jobs/1`);
    assert.equal(status, 200);
    assert.equal(body.jobId, "1");
    assert.equal(body.current.JobState, "completed");
    assert.ok(body.states.length >= 2, "both recorded states");
    assert.equal(body.states.at(-1).JobState, "completed");
    assert.ok(body.tasks.length >= 1);
  });

  test("a job the audit never saw is a 404 in the error shape", async () => {
    const { status, body } = await call("GetJobAuditTimeline", `/audit/printers/${printers[0]}/jobs/424242`);
    assert.equal(status, 404);
    assert.equal(body.error.code, "notFound");
  });

  test("a bad printer id is a 400", async () => {
    const { status } = await call("GetJobAuditTimeline", "/audit/printers/nope/jobs/1");
    assert.equal(status, 400);
  });
});

describe("List audited print jobs (ListAuditJobs)", () => {
  test("pages follow @odata.nextLink, as the connector's Pagination does, and every page matches the definition", async () => {
    let next: string | undefined = `${rig.api}/audit/jobs?top=3`;
    let records = 0;
    let pages = 0;
    while (next) {
      const { status, body } = await call("ListAuditJobs", next);
      assert.equal(status, 200);
      records += body.value.length;
      pages++;
      next = body["@odata.nextLink"];
      if (next) assert.match(next, /^http:\/\/localhost:\d+\/api\/audit\/jobs\?/, "an absolute next link");
      assert.ok(pages < 20);
    }
    assert.ok(pages >= 2, "more than one page");
    assert.ok(records >= 9, `${records} records: every job once, job 1 of the first printer twice`);
  });

  test("filters by printer and state", async () => {
    const { status, body } = await call("ListAuditJobs", `/audit/jobs?printerId=${printers[0]}&state=completed`);
    assert.equal(status, 200);
    assert.ok(body.value.length >= 1);
    assert.ok(body.value.every((row: any) => row.PrinterId === printers[0] && row.JobState === "completed"));
  });

  test("a bad filter is a 400 naming it", async () => {
    const { status, body } = await call("ListAuditJobs", "/audit/jobs?from=yesterday");
    assert.equal(status, 400);
    assert.equal(body.error.target, "from");
  });
});
