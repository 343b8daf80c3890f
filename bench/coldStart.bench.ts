/**
 * Cold start: what a fresh worker loads before its first call, and what the first get-job call adds. Each figure
 * comes from fresh Node processes (test/rig/coldWorker.ts) that load package.json's "main" as the Azure Functions
 * Node worker does. Counted: modules in require.cache under node_modules/ or dist/src/; Node's built-ins are not.
 * "Before" is measured by loading every room and client as well, which is what every function file did at start
 * before the rooms loaded on first call (574 modules on main then). For comparison, one esbuild bundle of it all.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandMain, repoRoot } from "../sandbox/host/functionApp";
import { type ColdWorkerFigures } from "../test/rig/coldWorker";
import { startColdWorkers } from "../test/rig/coldWorkers";
import { median } from "./stats";

const runs = 7;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

/** Median time to require one esbuild bundle of every entry file (the option not taken: a bundle loads everything). */
function bundleLoad(): { kib: number; loadInMs: number } {
  const root = repoRoot();
  const main = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string }).main;
  const outDir = mkdtempSync(join(tmpdir(), "upj-bundle-"));
  const entry = join(outDir, "entry.js");
  const bundle = join(outDir, "app.js");
  writeFileSync(
    entry,
    expandMain(root, main)
      .map((f) => `require(${JSON.stringify(f)});`)
      .join("\n"),
  );
  execFileSync(join(root, "node_modules", ".bin", "esbuild"), [
    entry,
    "--bundle",
    "--platform=node",
    "--target=node20",
    "--external:@azure/functions-core",
    `--outfile=${bundle}`,
    "--log-level=error",
  ]);
  const shim = join(root, "dist", "sandbox", "host", "functionsCore.js");
  const script =
    `require(${JSON.stringify(shim)}).installFunctionsCore();const t=process.hrtime.bigint();` +
    `require(${JSON.stringify(bundle)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const env = { ...process.env, AzureWebJobsStorage: "UseDevelopmentStorage=true" };
  const samples = Array.from({ length: runs }, () => {
    const out = spawnSync(process.execPath, ["-e", script], { env, encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    return Number(out.stdout.trim().split("\n").pop());
  });
  return { kib: statSync(bundle).size / 1024, loadInMs: median(samples) };
}

export async function run(): Promise<void> {
  const workers = await startColdWorkers();
  const lazy: ColdWorkerFigures[] = [];
  const eager: ColdWorkerFigures[] = [];
  try {
    // Interleaved, so that drift on a shared machine hits both alike.
    for (let i = 0; i < runs; i++) {
      lazy.push(await workers.run());
      eager.push(await workers.run({ call: false, eager: true }));
    }
  } finally {
    await workers.stop();
  }
  const first = lazy[0]!;
  const loadInMs = median(lazy.map((f) => f.loadInMs));
  const eagerInMs = median(eager.map((f) => f.loadInMs + f.eagerLoadInMs!));
  console.log(`cold start: ${runs} fresh processes each, medians; counted: node_modules/ and dist/src/ modules`);
  console.log(
    `before (every function file loaded its domain at start)  ${eager[0]!.modulesEager} modules  load ${ms(eagerInMs)}`,
  );
  console.log(
    `after, before the first call                             ${first.modulesAtStart} modules  load ${ms(loadInMs)}  (goal <= 150)`,
  );
  console.log(
    `after, once the first get-job call answered              ${first.modulesAfterCall} modules  first call ${ms(median(lazy.map((f) => f.firstCallInMs!)))} (loads its room, gets a token)`,
  );
  const bundle = bundleLoad();
  console.log(
    `for comparison, one esbuild bundle (${bundle.kib.toFixed(0)} KiB) of every entry file   1 module   load ${ms(bundle.loadInMs)}`,
  );
}
