/**
 * A cold audit worker of the fault suites (test/faults/auditLanes.ts), as the crash suites start one after each kill
 * (about 130 a run): its CPU until its first delivery (12 jobs of 2 tasks over 3 pages, the crash suites' first run)
 * has answered, started from the compiled files (the app loaded as the Node worker loads it) and from its bundle
 * (scripts/bundle-audit-lane.mjs) with V8's code cache (test/faults/cachedBundle.ts). The process's own CPU (user and
 * system), not the time: the suites run it on busy cores. The two ways alternate on the same build, BENCH_ROUNDS rounds
 * (9) after one that fills the code cache and the page cache; each figure is the median.
 */
import { makeJob } from "../sandbox/tenant";
import {
  firstRunId,
  runAuditProcess,
  startAuditWorld,
  tablePrefixes,
  type AuditWorld,
} from "../test/faults/auditHarness";
import { median } from "./stats";

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const printerId = "c4a50000-0000-4000-8000-0000000000b5";
const ways = ["files", "bundle"] as const;
type Way = (typeof ways)[number];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} CPU-seconds`;

/** A cold worker's first delivery; the worker is stopped after it, so the next one starts cold too. */
async function coldDelivery(world: AuditWorld, prefix: string): Promise<number> {
  const result = await runAuditProcess(world, { printerId, prefix, runId: firstRunId });
  await world.lanes.stop();
  if (result.exitCode !== 0 || !result.report) throw new Error(`the delivery failed: ${result.output.slice(0, 500)}`);
  return result.report.processCpuMs;
}

export async function run(): Promise<void> {
  const worlds = {} as Record<Way, AuditWorld>;
  const samples: Record<Way, number[]> = { files: [], bundle: [] };
  const prefix = tablePrefixes("workers");
  try {
    for (const way of ways) {
      worlds[way] = await startAuditWorld({ pageSize: 4, lanesFromFiles: way === "files" });
      worlds[way].sim.addPrinter({ id: printerId, displayName: "Bench printer" });
      for (let n = 1; n <= 12; n++) worlds[way].sim.addJob(printerId, makeJob(printerId, n, { tasks: 2 }));
    }
    for (let round = 0; round <= rounds; round++)
      for (const way of ways) {
        const cpu = await coldDelivery(worlds[way], prefix());
        if (round > 0) samples[way].push(cpu);
      }
  } finally {
    for (const world of Object.values(worlds)) await world.stop();
  }
  const [files, bundle] = [median(samples.files), median(samples.bundle)];
  console.log(`A cold audit worker until its first delivery answered, median of ${rounds} alternating rounds:`);
  console.log(`  from the compiled files                  ${seconds(files)}`);
  console.log(
    `  from its bundle, with V8's code cache    ${seconds(bundle)} (${Math.round((100 * (files - bundle)) / files)} % less)`,
  );
}
