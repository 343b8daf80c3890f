/**
 * The privacy rewrite at the scale: 10,000 rows recorded in clear (2,500 jobs on 5 printers, each
 * with a history row, two task rows and a current-state row) rewritten to hash with omitted document names
 * on Azurite, with each Table call delayed by STORAGE_LATENCY_MS (default 10, near Azure's in-region latency).
 * Prints the time against a timer run's 5-minute budget, and the time of the checking pass that follows.
 */
import { randomBytes } from "node:crypto";
import { type PipelinePolicy } from "@azure/core-rest-pipeline";
import { TableClient } from "@azure/data-tables";
import { invertedTime, jobHistoryRowKey, keyPart, taskHistoryRowKey } from "../src/audit/keys";
import { pseudonymKey } from "../src/audit/privacy";
import { runRedaction } from "../src/audit/redaction";
import { AuditStore, type Row } from "../src/audit/store";
import { StrictAzurite } from "../test/rig/strictTables";
import { printerIdFor } from "../sandbox/tenant";

const latencyMs = Number(process.env.STORAGE_LATENCY_MS ?? 10);
const delay: PipelinePolicy = {
  name: "benchLatency",
  sendRequest: async (request, next) => (await new Promise((r) => setTimeout(r, latencyMs)), next(request)),
};

export async function run(): Promise<void> {
  const azurite = await new StrictAzurite().start();
  try {
    let calls = 0;
    const counting: PipelinePolicy = { name: "benchCount", sendRequest: (request, next) => (calls++, next(request)) };
    const store = new AuditStore("bench", (name) => {
      const client = TableClient.fromConnectionString(azurite.connectionString, name, {
        allowInsecureConnection: true,
      });
      client.pipeline.addPolicy(counting);
      if (latencyMs > 0) client.pipeline.addPolicy(delay);
      return client;
    });
    const people = ["pat.kim", "john.smith", "ana.souza", "li.wei"];
    for (let p = 1; p <= 5; p++) {
      const printerId = printerIdFor(200 + p);
      const jobs: Row[] = [];
      const tasks: Row[] = [];
      const current: { row: Row }[] = [];
      for (let j = 1; j <= 500; j++) {
        const user = people[j % 4]!;
        const keyTime = invertedTime(Date.UTC(2026, 10, 1) + j * 60_000);
        const rowKey = jobHistoryRowKey(keyTime, String(j), 1, "0123456789");
        const columns = {
          PrinterId: printerId,
          JobId: String(j),
          JobState: "completed",
          JobStateDescription: `Held for ${user} (${user}@contoso.com)`,
          CreatedBy: `${user}@contoso.com`,
          CreatedById: `0000000${j % 4}-0000-4000-8000-000000000000`,
          CreatedByName: user,
          DocumentNames: `Payslip ${user}.pdf`,
          Sequence: 1,
          PrivacyUsers: "none",
          PrivacyDocuments: "keep",
        };
        jobs.push({ partitionKey: printerId, rowKey, ...columns });
        for (const t of ["a", "b"])
          tasks.push({
            partitionKey: printerId,
            rowKey: taskHistoryRowKey(rowKey, t),
            PrinterId: printerId,
            JobId: String(j),
            TaskId: t,
            TaskState: "completed",
            TaskDescription: `Released for ${user}`,
            PrivacyUsers: "none",
            PrivacyDocuments: "keep",
          });
        current.push({
          row: {
            partitionKey: printerId,
            rowKey: keyPart(String(j)),
            ...columns,
            KeyTime: keyTime,
            HistoryRowKey: rowKey,
          },
        });
      }
      await store.createRows(store.tables.jobs, jobs);
      await store.createRows(store.tables.tasks, tasks);
      await store.writeCurrent(current);
    }
    const policy = { redactUsers: "hash" as const, omitDocumentNames: true, key: pseudonymKey(randomBytes(32)) };
    const log = { log: () => undefined, warn: () => undefined };
    calls = 0;
    let started = Date.now();
    const first = await runRedaction(store, policy, { log, timeBudgetInMs: 5 * 60_000 });
    const rewriteMs = Date.now() - started;
    const rewriteCalls = calls;
    started = Date.now();
    const again = await runRedaction(store, policy, { log });
    console.log(`rows=10000 latencyMs=${latencyMs}`);
    console.log(
      `first timer run: rowsRewritten=${first.rowsRewritten} jobsRewritten=${first.jobsRewritten} passes=${first.passes} complete=${first.clean} durationMs=${rewriteMs} (budget 300000) tableCalls=${rewriteCalls}`,
    );
    console.log(`next timer run: complete=${again.clean} durationMs=${Date.now() - started}`);
    console.log(
      `FIGURES redaction-bench: redactionRows=10000 redactionMs=${rewriteMs} redactionComplete=${first.clean}`,
    );
  } finally {
    await azurite.stop();
  }
}
