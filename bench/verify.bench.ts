/**
 * `npm run bench -- verify`: verifying 30 days of 60,000 jobs. The history rows are written directly in bulk
 * (through the store's createRows, transactions of 100, one partition per printer: recording 60,000 jobs through
 * Graph runs would take far longer here) and digested with the app's own evidence writer (links of 200 rows,
 * anchored in Azurite's blobs). Then verifyIntegrity checks the 30 days, and the bench prints the rows checked,
 * the entities Table Storage returned (counted at a proxy in front of Azurite, not timed) and the time.
 * VERIFY_BENCH_JOBS changes the number of jobs (a multiple of 20).
 */
import { type IncomingMessage } from "node:http";
import { BlobAnchor, PrinterEvidence, evidenceContainer, verifyIntegrity } from "../src/audit/integrity";
import { invertedTime, jobHistoryRowKey, newRunId } from "../src/audit/keys";
import { AuditStore, tableClientFactory, type Row } from "../src/audit/store";
import { Azurite, devAccountKey, devAccountName } from "../sandbox/azurite";
import { printerIdFor } from "../sandbox/tenant";
import { CountingProxy, RequestCounter } from "../test/rig/countingProxy";

const dayMs = 86_400_000;
const days = 30;
const printerCount = 20;
const prefix = "benchverify";
const none = (): never => {
  throw new Error("no credential in the bench");
};

function jobRow(printerId: string, n: number, createdMs: number, runId: string): Row {
  const created = new Date(createdMs).toISOString();
  return {
    partitionKey: printerId,
    rowKey: jobHistoryRowKey(invertedTime(createdMs), String(n), 1, (n * 7919).toString(16).padStart(10, "0")),
    PrinterId: printerId,
    PrinterName: `Printer ${printerId.slice(-4)}`,
    JobId: String(n),
    JobState: n % 10 === 0 ? "aborted" : "completed",
    CreatedDateTime: created,
    Copies: 1 + (n % 3),
    ColorMode: n % 2 ? "color" : "blackAndWhite",
    DocumentCount: 1,
    DocumentSizeInBytes: 10_000 + n,
    CreatedBy: `user${n % 1300}@contoso.com`,
    DocumentNames: `Report ${n}.pdf`,
    Sequence: 1,
    ObservedDateTime: new Date(createdMs + 60_000).toISOString(),
    RunId: runId,
    Configuration: JSON.stringify({ copies: 1 + (n % 3), mediaSize: "A4" }),
  };
}

export async function run(): Promise<void> {
  const jobs = Number(process.env.VERIFY_BENCH_JOBS ?? 60_000);
  const azurite = await new Azurite().start();
  let entitiesRead = 0;
  const counter = new RequestCounter();
  const proxy = await new CountingProxy(`http://127.0.0.1:${azurite.tablePort}`, counter, {
    observe: (req: IncomingMessage, status: number, body: Buffer) => {
      if (req.method !== "GET" || status !== 200) return;
      const value = (JSON.parse(body.toString("utf8") || "{}") as { value?: unknown[] }).value;
      if (Array.isArray(value)) entitiesRead += value.length;
      else if (body.length > 0) entitiesRead++;
    },
  }).start();
  try {
    const blob = { kind: "connectionString" as const, connectionString: azurite.connectionString };
    const tables = {
      kind: "connectionString" as const,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${proxy.origin}/${devAccountName};`,
    };
    const target = {
      store: new AuditStore(prefix, tableClientFactory(tables, none)),
      anchor: new BlobAnchor(evidenceContainer(blob, "audit-evidence", none)),
    };
    const now = Date.now();
    const writing = Date.now();
    const perPrinter = jobs / printerCount;
    await Promise.all(
      Array.from({ length: printerCount }, async (_, p) => {
        const printerId = printerIdFor(900 + p);
        const runId = newRunId(new Date(now));
        const rows = Array.from({ length: perPrinter }, (_, i) =>
          jobRow(printerId, i + 1, now - Math.floor(((i + 0.5) / perPrinter) * days * dayMs), runId),
        );
        const evidence = new PrinterEvidence(target, { printerId, runId });
        await evidence.beforeHistory();
        const committed: Row[] = [];
        await target.store.createRows(target.store.tables.jobs, rows, { created: (r) => committed.push(...r) });
        await evidence.seal(committed.map((row) => ({ table: "jobs" as const, row })));
        await evidence.close();
      }),
    );
    console.log(
      `wrote ${jobs} job rows on ${printerCount} printers over ${days} days, digested, in ${Date.now() - writing} ms`,
    );
    entitiesRead = 0;
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    const started = Date.now();
    const { report } = await verifyIntegrity(target, {
      from: day(now - days * dayMs),
      to: day(now),
      retentionDays: 400,
    });
    const ms = Date.now() - started;
    const ratio = entitiesRead / Math.max(1, report.rowsChecked);
    console.log(
      `verify ${days} days: intact=${report.intact} rowsChecked=${report.rowsChecked} linksChecked=${report.linksChecked} ` +
        `entitiesRead=${entitiesRead} readPerRow=${ratio.toFixed(3)} timeMs=${ms}`,
    );
    console.log(`FIGURES verify: rowsChecked=${report.rowsChecked} readPerRow=${ratio.toFixed(3)} verifyMs=${ms}`);
    if (!report.intact || ratio > 1.1)
      throw new Error(`verify bench: intact=${report.intact}, ${ratio.toFixed(3)} reads per row`);
  } finally {
    await proxy.stop();
    await azurite.stop();
  }
}
