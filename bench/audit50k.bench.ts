/**
 * `npm run bench -- audit50k`: one printer with 50,000 jobs audited in one queue delivery, in a process of
 * its own (test/faults/auditProcess.ts) against the Graph simulator and Azurite, with the app's default
 * Graph settings. The same audit of 5,000 jobs runs first: the recorder holds at most 1,000 jobs' observations,
 * so the heap the 50,000-job audit holds (after a full GC, sampled every 500 ms) must stay within the stated bound
 * and close to the 5,000-job one; its peak heap (garbage included) is bounded too. AUDIT_BENCH_JOBS changes the large count.
 */
import { newRunId } from "../src/audit/keys";
import { readTable, runAuditProcess, startAuditWorld } from "../test/faults/auditHarness";
import { makeJob } from "../sandbox/tenant";

/** The stated bounds: the heap the auditing process holds after a full GC, and its peak heap, garbage included. */
const maxRetainedHeapMB = 64;
const maxPeakHeapMB = 160;
/** And the growth of the held heap from 5,000 to 50,000 jobs (ten times the jobs). */
const maxRetainedGrowthMB = 8;

const defaults = {
  GRAPH_MAX_RETRIES: "3",
  GRAPH_RETRY_DELAY_MS: "1000",
  GRAPH_MAX_RETRY_DELAY_MS: "30000",
  GRAPH_TRY_TIMEOUT_MS: "10000",
};

export async function run(): Promise<void> {
  const large = Number(process.env.AUDIT_BENCH_JOBS ?? 50_000);
  const world = await startAuditWorld({ pageSize: 200 });
  try {
    const figures: Record<string, number> = {};
    for (const [label, count] of [
      ["small", 5_000],
      ["large", large],
    ] as const) {
      const printerId = `b3c40000-0000-4000-8000-${String(count).padStart(12, "0")}`;
      world.sim.addPrinter({ id: printerId, displayName: `${count} jobs` });
      for (let i = 1; i <= count; i++)
        world.sim.addJob(printerId, makeJob(printerId, i, { state: i % 10 === 0 ? "processing" : "completed" }));
      const prefix = `bench${label}${process.pid}`;
      const result = await runAuditProcess(world, {
        prefix,
        runId: newRunId(),
        printerId,
        env: defaults,
        execArgv: ["--expose-gc"],
      });
      world.sim.requests.length = 0;
      if (result.exitCode !== 0 || !result.report)
        throw new Error(`The ${count}-job audit failed: ${result.output.slice(0, 500)}`);
      const rows = (await readTable(world, prefix, "Jobs")).length;
      if (rows !== count) throw new Error(`The ${count}-job audit recorded ${rows} history rows.`);
      console.log(
        `${count} jobs: ${(result.report.durationMs / 1000).toFixed(1)} s, ${Math.round(count / (result.report.durationMs / 1000))} jobs/s, ` +
          `heap held ${result.report.retainedHeapMB} MB, peak heap ${result.report.peakHeapMB} MB, peak RSS ${result.report.peakRssMB} MB, ${result.calls} calls to Graph and Tables, ${rows} history rows`,
      );
      figures[`${label}Jobs`] = count;
      figures[`${label}RetainedHeapMB`] = result.report.retainedHeapMB;
      figures[`${label}PeakHeapMB`] = result.report.peakHeapMB;
      figures[`${label}PeakRssMB`] = result.report.peakRssMB;
      figures[`${label}DurationS`] = Math.round(result.report.durationMs / 1000);
      figures[`${label}RowsLost`] = count - rows;
    }
    console.log(
      `FIGURES audit50k: ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")} maxRetainedHeapMB=${maxRetainedHeapMB} maxPeakHeapMB=${maxPeakHeapMB}`,
    );
    if (figures.largeRetainedHeapMB! > maxRetainedHeapMB)
      throw new Error(
        `The audit held ${figures.largeRetainedHeapMB} MB of heap, above the bound of ${maxRetainedHeapMB} MB.`,
      );
    if (figures.largePeakHeapMB! > maxPeakHeapMB)
      throw new Error(`Peak heap ${figures.largePeakHeapMB} MB is above the bound of ${maxPeakHeapMB} MB.`);
    if (figures.largeRetainedHeapMB! - figures.smallRetainedHeapMB! > maxRetainedGrowthMB) {
      throw new Error(
        `The heap held grew by ${figures.largeRetainedHeapMB! - figures.smallRetainedHeapMB!} MB from 5,000 to ${large} jobs.`,
      );
    }
  } finally {
    await world.stop();
  }
}
