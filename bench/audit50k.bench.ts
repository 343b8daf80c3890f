/**
 * `npm run bench -- audit50k`: one printer with 50,000 jobs audited in one queue delivery, in a process of
 * its own (test/faults/auditProcess.ts) against the Graph simulator and Azurite, with the app's default
 * Graph settings. The same audit of 5,000 jobs runs first: the recorder holds one page at a time, so the
 * peak heap of the 50,000-job audit must stay within the stated bound and close to the 5,000-job one.
 * AUDIT_BENCH_JOBS changes the large count.
 */
import { newRunId } from "../src/audit/keys";
import { readTable, runAuditProcess, startAuditWorld } from "../test/faults/auditHarness";
import { makeJob } from "../test/rig/tenant";

/** The stated bound: the auditing process's peak JS heap. */
const maxPeakHeapMB = 128;
/** And its growth from 5,000 to 50,000 jobs (ten times the jobs). */
const maxHeapGrowthMB = 32;

const defaults = { GRAPH_MAX_RETRIES: "3", GRAPH_RETRY_DELAY_MS: "1000", GRAPH_MAX_RETRY_DELAY_MS: "30000", GRAPH_TRY_TIMEOUT_MS: "10000" };

export async function run(): Promise<void> {
  const large = Number(process.env.AUDIT_BENCH_JOBS ?? 50_000);
  const world = await startAuditWorld({ pageSize: 200 });
  try {
    const figures: Record<string, number> = {};
    for (const [label, count] of [["small", 5_000], ["large", large]] as const) {
      const printerId = `b3c40000-0000-4000-8000-${String(count).padStart(12, "0")}`;
      world.sim.addPrinter({ id: printerId, displayName: `${count} jobs` });
      for (let i = 1; i <= count; i++) world.sim.addJob(printerId, makeJob(printerId, i, { state: i % 10 === 0 ? "processing" : "completed" }));
      const prefix = `bench${label}${process.pid}`;
      const result = await runAuditProcess(world, { prefix, runId: newRunId(), printerId, env: defaults });
      world.sim.requests.length = 0;
      if (result.exitCode !== 0 || !result.report) throw new Error(`The ${count}-job audit failed: ${result.output.slice(0, 500)}`);
      const rows = (await readTable(world, prefix, "Jobs")).length;
      if (rows !== count) throw new Error(`The ${count}-job audit recorded ${rows} history rows.`);
      console.log(
        `${count} jobs: ${(result.report.durationMs / 1000).toFixed(1)} s, ${Math.round(count / (result.report.durationMs / 1000))} jobs/s, ` +
          `peak heap ${result.report.peakHeapMB} MB, peak RSS ${result.report.peakRssMB} MB, ${result.calls} calls to Graph and Tables, ${rows} history rows`,
      );
      figures[`${label}Jobs`] = count;
      figures[`${label}PeakHeapMB`] = result.report.peakHeapMB;
      figures[`${label}PeakRssMB`] = result.report.peakRssMB;
      figures[`${label}DurationS`] = Math.round(result.report.durationMs / 1000);
      figures[`${label}RowsLost`] = count - rows;
    }
    console.log(`FIGURES audit50k: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(" ")} maxPeakHeapMB=${maxPeakHeapMB}`);
    if (figures.largePeakHeapMB! > maxPeakHeapMB) throw new Error(`Peak heap ${figures.largePeakHeapMB} MB is above the bound of ${maxPeakHeapMB} MB.`);
    if (figures.largePeakHeapMB! - figures.smallPeakHeapMB! > maxHeapGrowthMB) {
      throw new Error(`Peak heap grew by ${figures.largePeakHeapMB! - figures.smallPeakHeapMB!} MB from 5,000 to ${large} jobs.`);
    }
  } finally {
    await world.stop();
  }
}
