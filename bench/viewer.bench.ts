/**
 * The audit viewer: its bundle size (the one HTML page, raw and gzipped) and the time to its first job
 * table in headless Chromium, on the sandbox's demo tenant and on a larger generated one, audited once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../test/rig/functionsHost";
import { startRig, type Rig } from "../test/rig/rig";
import { addDemoTenant, addGeneratedTenant } from "../test/rig/tenant";
import { launchChromium } from "../test/rig/browser";

const key = "bench-key";
const loads = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function audited(setup: (rig: Rig) => string[]): Promise<Rig> {
  const rig = await startRig({ storage: true, host: { functionKeys: [key] } });
  const printers = setup(rig);
  rig.configure({ AUDIT_PRINTER_IDS: printers.join(",") });
  await rig.host.startTriggers({ connectionString: rig.azurite!.connectionString, timers: false, visibilityTimeoutInMs: 0, pollingIntervalInMs: 20 });
  await rig.host.fireTimer("auditTimer");
  await rig.host.waitForQueuesIdle({ timeoutMs: 120_000 });
  return rig;
}

async function firstRender(rig: Rig, label: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const samples: { table: number; dcl: number }[] = [];
    let jobs = "?";
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      await context.addInitScript(`sessionStorage.setItem("printAudit.functionKey", ${JSON.stringify(key)})`);
      const page = await context.newPage();
      await page.goto(`${rig.api}/audit/ui`);
      await page.locator("#jobs-table").waitFor();
      jobs = /of (\d+),/.exec(await page.locator("#jobs-table caption").innerText())?.[1] ?? "?";
      samples.push(
        await page.evaluate<{ table: number; dcl: number }>(
          `({ table: performance.getEntriesByName("viewer:first-table")[0].startTime, dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd })`,
        ),
      );
      await context.close();
    }
    console.log(
      `${label}: first job table ${median(samples.map((s) => s.table)).toFixed(0)} ms after navigation start ` +
        `(median of ${loads} loads, ${jobs} jobs loaded and sorted; DOMContentLoaded ${median(samples.map((s) => s.dcl)).toFixed(0)} ms)`,
    );
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  const html = readFileSync(join(repoRoot(), "dist", "viewer", "index.html"));
  const script = /<script>([\s\S]*)<\/script>/.exec(html.toString())?.[1] ?? "";
  console.log(`viewer page: ${(html.length / 1024).toFixed(1)} KiB (${(gzipSync(html).length / 1024).toFixed(1)} KiB gzipped), of which script ${(Buffer.byteLength(script) / 1024).toFixed(1)} KiB`);
  const demo = await audited((rig) => addDemoTenant(rig.sim));
  try {
    await firstRender(demo, "sandbox demo tenant (22 jobs)");
  } finally {
    await demo.host.stopTriggers();
    await demo.stop();
  }
  const large = await audited((rig) => addGeneratedTenant(rig.sim, { printers: 10, jobsPerPrinter: 200, tasksPerJob: 1 }));
  try {
    await firstRender(large, "generated tenant (10 printers x 200 jobs)");
  } finally {
    await large.host.stopTriggers();
    await large.stop();
  }
}
