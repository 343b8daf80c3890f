/**
 * Starts cold workers (test/rig/coldWorker.ts) in fresh Node processes against a Universal Print simulator and
 * a managed-identity endpoint of this process: for the cold start test and `npm run bench -- coldstart`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { UniversalPrintSimulator } from "../../sandbox/graph/simulator";
import { ManagedIdentityEndpoint } from "../../sandbox/identityEndpoint";
import { addSeedPrinter, seedJobId, seedPrinterId } from "../../sandbox/tenant";
import { type ColdWorkerFigures } from "./coldWorker";

export interface ColdWorkers {
  /** One fresh process: the app loaded, then (unless `call` is false) one get-job call of the seed job. */
  run(options?: { call?: boolean; eager?: boolean }): Promise<ColdWorkerFigures>;
  stop(): Promise<void>;
}

export async function startColdWorkers(): Promise<ColdWorkers> {
  const identity = await new ManagedIdentityEndpoint().start();
  const sim = await new UniversalPrintSimulator().start();
  addSeedPrinter(sim);
  const env = {
    ...process.env,
    ...identity.env(),
    GRAPH_BASE_URL: sim.baseUrl,
    GRAPH_CLOUD: "global",
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
  };
  const script = join(__dirname, "coldWorker.js");
  const run = ({ call = true, eager = false } = {}): Promise<ColdWorkerFigures> =>
    new Promise((resolve, reject) => {
      const args = [script, ...(eager ? ["--eager"] : []), ...(call ? ["--call", seedPrinterId, seedJobId] : [])];
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        if (code !== 0) return reject(new Error(`cold worker exited ${code}: ${err}`));
        resolve(JSON.parse(out.trim().split("\n").pop()!) as ColdWorkerFigures);
      });
    });
  return {
    run,
    stop: async () => {
      await sim.stop();
      await identity.stop();
    },
  };
}
