/**
 * A warm audit worker for the fault suites: it loads the app once, then serves deliveries one after another,
 * as a Functions worker serves the messages it is handed. Each delivery arrives over IPC with the whole
 * environment a fresh process would have been given; the worker swaps it in and forgets the settings and
 * clients built so far (resetConfig, resetComposition: what the app keeps between invocations), so the
 * delivery reads its own settings, as a redelivery to a new worker would. Its output (what the process would
 * have printed) goes back with its report.
 *
 * A suite that crashes a delivery kills the worker (SIGKILL): nothing of the delivery runs on, and nothing of the
 * worker serves again. The suites start it from a bundle (auditLaneStart.ts); run as a file, it loads the app as the
 * Node worker does.
 */
import { resetConfig } from "../../src/config";
import { resetComposition } from "../../src/composition/rooms";
import { loadFunctionApp } from "../../sandbox/host/functionApp";
import { type Registration } from "../../sandbox/host/functionsCore";
import { deliverFromEnv, reportLine } from "./auditDelivery";

export interface LaneRequest {
  env: Record<string, string>;
}

export interface LaneAnswer {
  exitCode: number;
  output: string;
}

let app: Registration[] | undefined;
let loadApp: () => Registration[] = loadFunctionApp;
let firstServed: (() => void) | undefined;

/**
 * The bundle of this worker (scripts/bundle-audit-lane.mjs) hands in its app: the entry files package.json's `main`
 * names, required from the bundle in the worker's order, instead of from dist/ one file at a time.
 */
export function useBundledApp(load: () => Registration[]): void {
  loadApp = load;
}

/** `callback` runs once, after the first delivery answered (auditLaneStart.ts then keeps V8's compiled code). */
export function afterFirstDelivery(callback: () => void): void {
  firstServed = callback;
}

function useEnvironment(env: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
  resetConfig();
  resetComposition();
}

/** Runs one delivery, keeping what it writes to stdout and stderr as its output. */
async function serve({ env }: LaneRequest): Promise<LaneAnswer> {
  const chunks: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const keep = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  try {
    useEnvironment(env);
    // The app reads its settings as it loads (src/index.ts), so it loads with the first delivery's.
    app ??= loadApp();
    const report = await deliverFromEnv(app);
    console.log(reportLine(report));
    return { exitCode: report.ok ? 0 : 1, output: chunks.join("") };
  } catch (error) {
    console.error(error);
    return { exitCode: 2, output: chunks.join("") };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

process.on("message", (request: LaneRequest) => {
  void serve(request).then((answer) => {
    process.send!(answer);
    const served = firstServed;
    firstServed = undefined;
    served?.();
  });
});
