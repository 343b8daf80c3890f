/**
 * The read API on the indexes, end to end: jobs recorded by the app's own audit runs (simulator), read
 * through GET /api/audit/jobs before and after the backfill marks the indexes complete: the same rows, newest
 * job first across printers once indexed, latest=true one row per job (its current state), pages followed by
 * their nextLink, tokens checked.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant } from "../../sandbox/tenant";
import { TableClient } from "@azure/data-tables";
import { newRunId } from "../../src/audit/keys";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";

let rig: Rig;
let printers: string[];
const prefix = "readidx";

before(async () => {
  rig = await startRig({ storage: true });
  printers = addGeneratedTenant(rig.sim, { printers: 3, jobsPerPrinter: 7, tasksPerJob: 1 });
  rig.configure({ AUDIT_PRINTER_IDS: printers.join(","), AUDIT_TABLE_PREFIX: prefix });
  await serveAuditQueues(rig);
  // An audit recorded before the indexes existed: its first run comes straight through the queue, so no timer finds the
  // history empty and marks the indexes complete (a new installation's first timer run would).
  const firstRun = newRunId();
  for (const printerId of printers) await rig.host.invokeQueue("auditPrinter", { runId: firstRun, printerId });
  for (const [p, job, state] of [
    [0, "2", "completed"],
    [1, "3", "aborted"],
    [2, "5", "completed"],
  ] as const)
    rig.sim.setJobState(printers[p]!, job, state);
  await runScheduledAudit(rig);
});
after(() => rig.stop());

async function readTable(name: string): Promise<Record<string, any>[]> {
  const rows: Record<string, any>[] = [];
  for await (const e of TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${name}`, {
    allowInsecureConnection: true,
  }).listEntities())
    rows.push(e);
  return rows;
}

/** Every page of a question, following @odata.nextLink; each page with a link is full. */
async function pages(query: string, top: number): Promise<{ rows: Record<string, any>[]; pages: number }> {
  const rows: Record<string, any>[] = [];
  let link: string | undefined = `${rig.api}/audit/jobs?top=${top}${query ? `&${query}` : ""}`;
  let count = 0;
  while (link) {
    const response = await fetch(link);
    const body = (await response.json()) as { value: Record<string, any>[]; "@odata.nextLink"?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    count++;
    if (body["@odata.nextLink"]) assert.equal(body.value.length, top, "a page with a next link is full");
    rows.push(...body.value);
    link = body["@odata.nextLink"];
    assert.ok(count < 200);
  }
  return { rows, pages: count };
}

const line = (r: Record<string, any>): string => `${r.PrinterId}|${r.JobId}|${r.Sequence}`;
const newestFirst = (a: Record<string, any>, b: Record<string, any>): number =>
  String(b.CreatedDateTime).localeCompare(String(a.CreatedDateTime)) ||
  String(a.PrinterId).localeCompare(String(b.PrinterId)) ||
  String(a.JobId).localeCompare(String(b.JobId)) ||
  a.Sequence - b.Sequence;

describe("GET /api/audit/jobs on the indexes", () => {
  test("before the backfill the old scan answers; after it, the same rows newest job first across printers", async () => {
    const history = await readTable("Jobs");
    const before = await pages("", 4);
    assert.equal(before.rows.length, history.length);
    assert.deepEqual(
      before.rows.map((r) => r.PrinterId),
      [...before.rows.map((r) => r.PrinterId)].sort(),
      "by printer while not indexed",
    );

    await rig.host.fireTimer("auditIndexBackfill");
    assert.ok(
      rig.host.logs.some((l) => l.functionName === "auditIndexBackfill" && /the indexes are complete/.test(l.message)),
    );

    for (const top of [1, 2, 5]) {
      const after = await pages("", top);
      assert.deepEqual(after.rows.map(line), [...after.rows].sort(newestFirst).map(line), `top=${top}`);
      assert.deepEqual(after.rows.map(line).sort(), before.rows.map(line).sort());
    }
  });

  test("latest=true: one row per job, its current state, newest job first, across pages", async () => {
    await rig.host.fireTimer("auditIndexBackfill");
    const current = await readTable("Current");
    const latest = await pages("latest=true", 4);
    assert.equal(latest.rows.length, current.length);
    assert.deepEqual(latest.rows.map(line).sort(), current.map(line).sort(), "each job's latest recorded state");
    assert.deepEqual(latest.rows.map(line), [...latest.rows].sort(newestFirst).map(line));
    const aborted = await pages("latest=true&state=aborted", 2);
    assert.ok(
      aborted.rows.some((r) => line(r) === `${printers[1]}|3|2`),
      "a job aborted since its first run, at its latest state",
    );
    assert.deepEqual(
      aborted.rows.map(line).sort(),
      current
        .filter((r) => r.JobState === "aborted")
        .map(line)
        .sort(),
    );
  });

  test("a person's jobs and a day, from their own partitions, equal to the filter over every row", async () => {
    await rig.host.fireTimer("auditIndexBackfill");
    const all = (await pages("", 100)).rows;
    const user = all[0]!.CreatedBy as string;
    const mine = await pages(`user=${encodeURIComponent(user)}`, 3);
    assert.deepEqual(mine.rows.map(line), all.filter((r) => r.CreatedBy === user || r.CreatedById === user).map(line));
    const day = String(all[0]!.CreatedDateTime).slice(0, 10);
    const onDay = await pages(`from=${day}&to=${day}`, 3);
    assert.deepEqual(onDay.rows.map(line), all.filter((r) => String(r.CreatedDateTime).startsWith(day)).map(line));
    const csv = await (await fetch(`${rig.api}/audit/jobs?format=csv&latest=true`)).text();
    assert.equal(
      csv.trim().split("\r\n").length - 1,
      (await pages("latest=true", 100)).rows.length,
      "the CSV of latest states has one line per job",
    );
  });

  test("bad latest values and altered or foreign tokens are 400s naming the option", async () => {
    await rig.host.fireTimer("auditIndexBackfill");
    const bad = await fetch(`${rig.api}/audit/jobs?latest=yes`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /latest/);
    const first = (await (await fetch(`${rig.api}/audit/jobs?top=2`)).json()) as { continuationToken: string };
    const foreign = await fetch(
      `${rig.api}/audit/jobs?top=2&state=completed&continuationToken=${encodeURIComponent(first.continuationToken)}`,
    );
    assert.equal(foreign.status, 400);
    assert.match(JSON.stringify(await foreign.json()), /continuationToken/);
    const altered = await fetch(
      `${rig.api}/audit/jobs?top=2&continuationToken=ix1.${Buffer.from('{"p":"x","c":[]}').toString("base64url")}`,
    );
    assert.equal(altered.status, 400);
  });
});
