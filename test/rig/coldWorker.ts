/**
 * One cold worker in a process of its own (run it with `node dist/test/rig/coldWorker.js`): loads the built app
 * as the Azure Functions Node worker does (every file package.json's "main" matches, with require(), against the
 * local host's @azure/functions-core), then, with --call, makes one get-job call through the registered handler.
 * Prints one JSON line: modules loaded and time taken at each point.
 *
 * Counted: the modules in require.cache under node_modules/ or the app's dist/src/ (JavaScript files the process
 * loaded for the app). Not counted: Node's built-ins, and this script with the local host's two files.
 */
import type * as AzureFunctions from "@azure/functions";
import { readFileSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import { expandMain, repoRoot } from "../../sandbox/host/functionApp";
import { installFunctionsCore, registrations } from "../../sandbox/host/functionsCore";

export interface ColdWorkerFigures {
  /** Modules loaded once the entry files are in, before any call. */
  modulesAtStart: number;
  /** Time to require the entry files (ms). */
  loadInMs: number;
  /** With --eager: every room and client of src/composition loaded too, as every function file loaded its domain before. */
  modulesEager?: number;
  eagerLoadInMs?: number;
  /** With --call: the first get-job call's status, its time (ms), and the modules loaded once it answered. */
  callStatus?: number;
  firstCallInMs?: number;
  modulesAfterCall?: number;
  /** Packages the call loaded, by name (to check what a route does not load). */
  packagesAfterCall?: string[];
}

function appModules(root: string): string[] {
  const src = realpathSync(join(root, "dist", "src")) + sep;
  return Object.keys(require.cache).filter((file) => file.includes(`${sep}node_modules${sep}`) || file.startsWith(src));
}

function packagesOf(files: string[]): string[] {
  const names = files.map((file) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file)?.[1]?.replace("\\", "/"));
  return [...new Set(names.filter((n): n is string => n !== undefined))].sort();
}

const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

async function firstGetJobCall(printerId: string, jobId: string): Promise<{ status: number; ms: number }> {
  // The app loaded @azure/functions already: this adds no module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const functions = require("@azure/functions") as typeof AzureFunctions;
  const registration = registrations.find((r) => r.name === "getPrinterJob");
  if (!registration) throw new Error("getPrinterJob is not registered");
  const request = new functions.HttpRequest({
    method: "GET",
    url: `http://localhost/api/printers/${printerId}/jobs/${jobId}`,
    params: { printerId, jobId },
  });
  const context = new functions.InvocationContext({ invocationId: "cold-start", functionName: registration.name });
  const start = process.hrtime.bigint();
  const reply = (await registration.handler(request, context)) as { status?: number };
  return { status: reply.status ?? 200, ms: msSince(start) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = repoRoot();
  const main = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string }).main;
  installFunctionsCore();
  const start = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of expandMain(root, main)) require(file);
  const figures: ColdWorkerFigures = { loadInMs: msSince(start), modulesAtStart: appModules(root).length };
  if (args.includes("--eager")) {
    const eager = process.hrtime.bigint();
    for (const room of [
      "clients",
      "auditClients",
      "jobsRoom",
      "auditReadRoom",
      "erasureRoom",
      "auditRunRoom",
      "openApiRoom",
    ])
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(root, "dist", "src", "composition", `${room}.js`));
    Object.assign(figures, { eagerLoadInMs: msSince(eager), modulesEager: appModules(root).length });
  }
  const call = args.indexOf("--call");
  if (call >= 0) {
    const { status, ms } = await firstGetJobCall(args[call + 1]!, args[call + 2]!);
    const loaded = appModules(root);
    Object.assign(figures, {
      callStatus: status,
      firstCallInMs: ms,
      modulesAfterCall: loaded.length,
      packagesAfterCall: packagesOf(loaded),
    });
  }
  console.log(JSON.stringify(figures));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
