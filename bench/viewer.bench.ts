/**
 * The audit viewer: its bundle size (the one HTML page, raw and gzipped), the time to its first job table
 * in headless Chromium on the sandbox's demo tenant, and the month view: 30 days x 1,000 jobs a day on 200
 * printers, recorded through the app's own audit (the simulator and a real run, so the daily summaries are
 * the ones the recorder keeps), then the month's daily summaries and the first page of jobs opened in Chromium.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../sandbox/host/functionApp";
import { startRig, type Rig } from "../test/rig/rig";
import { addDemoTenant, makeJob, printerIdFor } from "../sandbox/tenant";
import { launchChromium } from "../test/rig/browser";
import { runScheduledAudit, serveAuditQueues } from "../test/rig/auditedApp";
import { median } from "./stats";

const key = "bench-key";
const loads = 7;
const monthDays = 30;
const jobsPerDay = 1000;
const monthPrinters = 200;
const monthStart = Date.UTC(2026, 9, 31);

async function audited(setup: (rig: Rig) => string[], timeoutMs = 120_000): Promise<{ rig: Rig; auditMs: number }> {
  const rig = await startRig({ storage: true, host: { functionKeys: [key] }, simulator: { pageSize: 100 } });
  const printers = setup(rig);
  rig.configure({ AUDIT_PRINTER_IDS: printers.join(",") });
  await serveAuditQueues(rig);
  const started = Date.now();
  await runScheduledAudit(rig, { timeoutMs });
  return { rig, auditMs: Date.now() - started };
}

/** Median time from navigation start to a performance mark the viewer sets, over fresh tabs. */
async function timeToMark(
  rig: Rig,
  hash: string,
  selector: string,
  mark: string,
  textOf: string,
): Promise<{ ms: number; note: string }> {
  const browser = await launchChromium();
  try {
    const samples: number[] = [];
    let note = "";
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript(`sessionStorage.setItem("printAudit.functionKey", ${JSON.stringify(key)})`);
      const page = await context.newPage();
      await page.goto(`${rig.api}/audit/ui${hash}`);
      await page.locator(selector).first().waitFor({ timeout: 60_000 });
      note = await page.locator(textOf).first().innerText();
      samples.push(await page.evaluate<number>(`performance.getEntriesByName(${JSON.stringify(mark)})[0].startTime`));
      await context.close();
    }
    return { ms: median(samples), note };
  } finally {
    await browser.close();
  }
}

/** Median time to the job list's first table, the page the viewer opens on. */
const timeToFirstJobTable = (rig: Rig): Promise<{ ms: number; note: string }> =>
  timeToMark(rig, "#/jobs", "#jobs-table", "viewer:first-table", "#jobs-table caption");

/** 200 printers; job n of the month is created on day floor(n / 1000), spread over the day, on printer n mod 200. */
function addMonthTenant(rig: Rig): string[] {
  const ids = Array.from({ length: monthPrinters }, (_, i) => printerIdFor(i + 1));
  ids.forEach((id, i) =>
    rig.sim.addPrinter({ id, displayName: `Floor ${Math.floor(i / 20) + 1} printer ${(i % 20) + 1}` }),
  );
  const states = [
    "completed",
    "completed",
    "completed",
    "completed",
    "completed",
    "completed",
    "aborted",
    "canceled",
    "processing",
    "pending",
  ];
  for (let n = 0; n < monthDays * jobsPerDay; n++) {
    const printerId = ids[n % monthPrinters]!;
    const day = Math.floor(n / jobsPerDay);
    const created = new Date(
      monthStart + day * 86_400_000 + Math.floor(((n % jobsPerDay) * 86_400_000) / jobsPerDay),
    ).toISOString();
    rig.sim.addJob(
      printerId,
      makeJob(printerId, 1000 + Math.floor(n / monthPrinters), {
        state: states[(n * 7) % states.length],
        userIndex: n % 97,
        createdDateTime: created,
      }),
    );
  }
  return ids;
}

/** Median time of the summaries route alone over the month, checking it counts every job. */
async function summariesRouteMs(rig: Rig, from: string, to: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < loads; i++) {
    const started = performance.now();
    const response = await fetch(`${rig.api}/audit/summaries?from=${from}&to=${to}`, {
      headers: { "x-functions-key": key },
    });
    const body = (await response.json()) as { jobs: number };
    if (body.jobs !== monthDays * jobsPerDay)
      throw new Error(`the summaries count ${body.jobs} jobs, not ${monthDays * jobsPerDay}`);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function run(): Promise<void> {
  const html = readFileSync(join(repoRoot(), "dist", "viewer", "index.html"));
  const script = /<script>([\s\S]*)<\/script>/.exec(html.toString())?.[1] ?? "";
  console.log(
    `viewer page: ${(html.length / 1024).toFixed(1)} KiB (${(gzipSync(html).length / 1024).toFixed(1)} KiB gzipped), of which script ${(Buffer.byteLength(script) / 1024).toFixed(1)} KiB`,
  );
  const demo = await audited((rig) => addDemoTenant(rig.sim));
  try {
    const first = await timeToFirstJobTable(demo.rig);
    console.log(
      `sandbox demo tenant (22 jobs): first job table ${first.ms.toFixed(0)} ms after navigation start (median of ${loads} loads)`,
    );
  } finally {
    await demo.rig.host.stopTriggers();
    await demo.rig.stop();
  }

  const month = await audited(addMonthTenant, 30 * 60_000);
  try {
    console.log(
      `month tenant: ${monthDays} days x ${jobsPerDay} jobs/day on ${monthPrinters} printers, recorded by one audit run in ${(month.auditMs / 1000).toFixed(0)} s`,
    );
    const from = new Date(monthStart).toISOString().slice(0, 10);
    const to = new Date(monthStart + (monthDays - 1) * 86_400_000).toISOString().slice(0, 10);
    const api = await summariesRouteMs(month.rig, from, to);
    const summary = await timeToMark(
      month.rig,
      `#/summary?from=${from}&to=${to}`,
      "#summary-body figure",
      "viewer:summary",
      "#summary-range",
    );
    console.log(
      `month view (daily summaries, ${from} to ${to}): ${summary.ms.toFixed(0)} ms in Chromium after navigation start (median of ${loads} loads; "${summary.note}"); the summaries route alone ${api.toFixed(0)} ms`,
    );
    const jobs = await timeToFirstJobTable(month.rig);
    console.log(
      `month tenant, first page of jobs (25, latest state, newest first across ${monthPrinters} printers): ${jobs.ms.toFixed(0)} ms after navigation start (median of ${loads} loads)`,
    );
  } finally {
    await month.rig.host.stopTriggers();
    await month.rig.stop();
  }
}
