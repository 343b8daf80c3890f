/**
 * Crashes mid-rewrite: the audit timer's privacy rewrite (none -> hash with omitted document names) is
 * killed (SIGKILL) just before and just after calls spread over its whole run (of those points, the ones that
 * leave the same writes carried out are tried once: distinctCrashPoints in auditHarness.ts); the next timer run
 * must leave the tables equal to those of an uninterrupted rewrite, with no name, UPN, id or document name left.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Figures } from "../rig/figures";
import { makeJob } from "../../sandbox/tenant";
import {
  auditContents,
  compareContents,
  crashPoints,
  distinctCrashPoints,
  failedCrashPoints,
  type CallRecord,
  firstRunId,
  readTable,
  runAuditProcess,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
} from "./auditHarness";

let world: AuditWorld;
const figures = new Figures("redaction-crashes");
const printerId = "c4a50000-0000-4000-8000-000000000011";
const key = randomBytes(32).toString("base64");
const redact = {
  AUDIT_INVOKE: "timer",
  AUDIT_PRINTER_IDS: "",
  AUDIT_REDACT_USERS: "hash",
  AUDIT_OMIT_DOCUMENT_NAMES: "true",
  AUDIT_HASH_KEY: key,
};
const plaintext =
  /john|smith|pat\.kim|pat kim|souza|li\.wei|li wei|contoso|report \d|87d349ed|2f6b1c4e|c3e0f0aa|5a8e1d2c/i;
const nextPrefix = tablePrefixes("redact");
let reference: Record<string, string[]>;
let calls = 0;
let cleanLog: CallRecord[] = [];

/** A prefix holding a clean first audit recorded in clear (state A: 10 jobs, 2 tasks each: more than the 8 jobs a pass rewrites at once). */
async function recordedInClear(): Promise<string> {
  const prefix = nextPrefix();
  const first = await runAuditProcess(world, { prefix, runId: firstRunId, printerId, env: { AUDIT_HASH_KEY: key } });
  assert.equal(first.exitCode, 0, first.output);
  return prefix;
}

before(async () => {
  world = await startAuditWorld({ pageSize: 10 });
  world.sim.addPrinter({ id: printerId, displayName: "Redaction crash printer" });
  for (let i = 1; i <= 10; i++) {
    const job = makeJob(printerId, i, { tasks: 2 });
    job.status!.description = `Held for ${job.createdBy!.displayName} (${job.createdBy!.userPrincipalName})`;
    world.sim.addJob(printerId, job);
  }
  const prefix = await recordedInClear();
  const clean = await runAuditProcess(world, { prefix, runId: firstRunId, printerId, env: redact, proxyBlob: true });
  assert.equal(clean.exitCode, 0, clean.output);
  reference = await auditContents(world, prefix);
  calls = clean.calls;
  cleanLog = clean.log;
});

after(async () => {
  figures.print();
  await world.stop();
});

describe("the privacy rewrite killed mid-way, then run again", () => {
  test("an uninterrupted rewrite leaves no plaintext", () => {
    assert.ok(calls >= 20, `${calls} calls`);
    assert.equal(reference.Jobs!.length, 10);
    assert.doesNotMatch(JSON.stringify(reference), plaintext);
    figures.set("callsPerRewrite", calls);
  });

  test("killed before and after calls across the rewrite: the next run leaves the same tables and no plaintext", async () => {
    const step = Number(process.env.REDACTION_CRASH_STEP ?? 0) || Math.max(1, Math.floor(calls / 12));
    const { points, all } = distinctCrashPoints(cleanLog, crashPoints(calls, step));
    figures.set("redactionCrashPointsInAll", all);
    const failures = await failedCrashPoints(points, 4, async ({ call, when }) => {
      const prefix = await recordedInClear();
      const crashed = await runAuditProcess(world, {
        prefix,
        runId: firstRunId,
        printerId,
        env: redact,
        proxyBlob: true,
        crashAt: { call, when },
      });
      const problems: string[] = [];
      if (crashed.signal !== "SIGKILL") problems.push(`not killed at ${call}`);
      const again = await runAuditProcess(world, {
        prefix,
        runId: firstRunId,
        printerId,
        env: redact,
        proxyBlob: true,
      });
      if (again.exitCode !== 0) problems.push(`the next run failed: ${again.output.slice(0, 300)}`);
      const contents = await auditContents(world, prefix);
      const diff = compareContents(reference, contents);
      figures.add("redactionRowsLost", diff.missing);
      if (diff.missing || diff.extra || diff.duplicates)
        problems.push(
          `missing ${diff.missing}, extra ${diff.extra}, duplicates ${diff.duplicates}: ${diff.detail.slice(0, 2).join("; ").slice(0, 600)}`,
        );
      if (plaintext.test(JSON.stringify(contents))) problems.push("plaintext left");
      if (plaintext.test(JSON.stringify(await readTable(world, prefix, "Summaries"))))
        problems.push("plaintext left in the daily summaries");
      figures.add("redactionCrashPointsTried");
      if (problems.length === 0) figures.add("redactionCrashPointsSurvived");
      return problems;
    });
    assert.deepEqual(failures, []);
    figures.set("redactionRowsLost", figures.get("redactionRowsLost"));
    figures.set(
      "redactionCrashPointsFailed",
      figures.get("redactionCrashPointsTried") - figures.get("redactionCrashPointsSurvived"),
    );
  });
});
