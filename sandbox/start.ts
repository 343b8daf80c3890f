/**
 * `npm start`: the whole app on this machine, with no Azure account and no Core Tools.
 * Starts Azurite, the Universal Print simulator with demo printers and jobs, the loopback managed-identity
 * endpoint, and serves the app's registered HTTP functions on http://localhost:7071/api/... .
 * Ctrl+C stops all of it.
 */
import { randomBytes } from "node:crypto";
import { Azurite, freePort } from "./azurite";
import { UniversalPrintSimulator } from "./graph/simulator";
import { loadFunctionApp } from "./host/functionApp";
import { LocalFunctionsHost } from "./host/functionsHost";
import { ManagedIdentityEndpoint } from "./identityEndpoint";
import { addDemoTenant, advanceJobs, advanceOneJob, seedJobId, seedPrinterId, seedShareId } from "./tenant";

const port = Number(process.env.PORT ?? 7071);

/** What stands in for Azure and Graph: storage, Universal Print with the demo printers, the managed identity. */
interface StandIns {
  azurite: Azurite;
  sim: UniversalPrintSimulator;
  identity: ManagedIdentityEndpoint;
  printerIds: string[];
}

async function portIsFree(p: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(p, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Azurite on its usual ports where they are free, the simulator with the demo tenant, the identity endpoint. */
async function startStandIns(): Promise<StandIns> {
  const storagePorts = await Promise.all(
    [10000, 10001, 10002].map(async (p) => ((await portIsFree(p)) ? p : freePort())),
  );
  const azurite = await new Azurite({
    blobPort: storagePorts[0],
    queuePort: storagePorts[1],
    tablePort: storagePorts[2],
  }).start();
  const sim = await new UniversalPrintSimulator({ latencyMs: 5 }).start();
  const identity = await new ManagedIdentityEndpoint().start();
  const printerIds = addDemoTenant(sim);
  return { azurite, sim, identity, printerIds };
}

/** The app reads its settings from the environment, as it does from app settings in Azure. */
function configureApp({ azurite, sim, identity, printerIds }: StandIns): void {
  Object.assign(process.env, {
    ...identity.env(),
    GRAPH_BASE_URL: sim.baseUrl,
    AzureWebJobsStorage: azurite.connectionString,
    AUDIT_PRINTER_IDS: printerIds.join(","),
    AUDIT_SCHEDULE: process.env.AUDIT_SCHEDULE ?? "0 */2 * * * *",
    FUNCTIONS_WORKER_RUNTIME: "node",
    // The sandbox makes its own pseudonym key (Azure's lives in Key Vault); set AUDIT_HASH_KEY to keep one across starts.
    AUDIT_HASH_KEY: process.env.AUDIT_HASH_KEY ?? randomBytes(32).toString("base64"),
  });
}

/**
 * The app's functions on the local host, and the audit as in Azure: timers on their schedules, the per-printer
 * queue on Azurite; one run now, at start.
 */
async function startApp({ azurite, sim }: StandIns): Promise<LocalFunctionsHost> {
  const host = await new LocalFunctionsHost(loadFunctionApp(), {
    port,
    printLogs: process.env.SANDBOX_QUIET !== "1",
  }).start();
  await host.startTriggers({ connectionString: azurite.connectionString });
  console.log("Running a first audit of the demo printers (timer, then one queue message per printer)…");
  await auditNow(host);
  // A few jobs move on and the audit runs again, so the first screen already shows timelines of several states.
  const moved = advanceJobs(sim, 4);
  console.log(`[simulator] ${moved.length} jobs moved on (${moved.map((m) => `${m.jobId} ${m.state}`).join(", ")})`);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  console.log("Running a second audit, which records those changes…");
  await auditNow(host);
  return host;
}

/** One audit run as the timer starts it, waited for until its queue messages are handled. */
async function auditNow(host: LocalFunctionsHost): Promise<void> {
  await host.fireTimer("auditTimer");
  try {
    await host.waitForQueuesIdle({ timeoutMs: 60_000 });
  } catch {
    // A failing printer is retried by the queue as in Azure; the sandbox serves what is there meanwhile.
    console.log("The audit run is still retrying a printer (see the log); its run rows show why.");
  }
}

/** Demo life: every 20 s a printer moves one job forward, so the audit has changes to record. */
function startDemoLife(sim: UniversalPrintSimulator): NodeJS.Timeout {
  return setInterval(() => {
    const changed = advanceOneJob(sim);
    if (changed)
      console.log(`[simulator] job ${changed.jobId} on printer ${changed.printerId} is now ${changed.state}`);
  }, 20_000);
}

/** What `npm start` prints once it serves: the registered functions and URLs to try. */
function welcome(host: LocalFunctionsHost, { azurite, sim, printerIds }: StandIns): string {
  const api = `http://localhost:${port}/api`;
  const routes = host
    .httpRoutes()
    .map((r) => `  ${r.methods.join(",").padEnd(6)} ${api}/${r.route}  (${r.name}, authLevel ${r.authLevel})`);
  return `
Universal Print jobs is running locally.

Functions (as registered by the app):
${routes.join("\n")}

Try:
  curl "${api}/printers/${seedPrinterId}/jobs/${seedJobId}"
  curl "${api}/printers/${seedPrinterId}/jobs/${seedJobId}?\\$expand=tasks,documents"
  curl "${api}/shares/${seedShareId}/jobs/${seedJobId}?\\$select=id,status"
  curl "${api}/printers/${printerIds[1]}/jobs/101"
  curl "${api}/printers/${seedPrinterId}/jobs/${seedJobId}/completion?timeout=PT5M"
  (a job still running answers 202 with Location and Retry-After: follow it, as Power Automate does)

Audit (two runs done; then every run of AUDIT_SCHEDULE "${process.env.AUDIT_SCHEDULE}", UTC):
  curl "${api}/audit/printers/${printerIds[1]}/jobs/100"
  curl "${api}/audit/jobs?printerId=${printerIds[1]}&top=5"
  curl "${api}/audit/jobs?state=completed&from=2026-01-01"
  curl "${api}/audit/jobs?format=csv" -o print-audit.csv
  (a job's states and tasks oldest first; the history newest job first across printers, paged by @odata.nextLink)

OpenAPI definition (for a Power Automate custom connector): ${api}/openapi.json

Audit viewer (open in a browser): ${api}/audit/ui

Demo printers: ${printerIds.join(", ")}
Simulated Graph: ${sim.baseUrl}   Azurite: blob ${azurite.blobPort}, queue ${azurite.queuePort}, table ${azurite.tablePort}
Locally, function keys are not required (as with Core Tools); in Azure every data route needs one.
Press Ctrl+C to stop.
`;
}

/** Ctrl+C (or SIGTERM) stops the demo life, the triggers, the host and the stand-ins, then exits. */
function stopOnSignal(host: LocalFunctionsHost, life: NodeJS.Timeout, { azurite, sim, identity }: StandIns): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    clearInterval(life);
    await host.stopTriggers();
    await host.stop();
    await Promise.all([sim.stop(), identity.stop(), azurite.stop()]);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

async function main(): Promise<void> {
  if (!(await portIsFree(port))) {
    console.error(
      `Port ${port} is taken (another 'npm start' or 'func start'?). Stop it, or run with PORT=7072 npm start.`,
    );
    process.exit(1);
  }
  console.log("Starting the local sandbox: Azurite, the Universal Print simulator, the managed-identity endpoint…");
  const standIns = await startStandIns();
  configureApp(standIns);
  const host = await startApp(standIns);
  const life = startDemoLife(standIns.sim);
  console.log(welcome(host, standIns));
  stopOnSignal(host, life, standIns);
}

main().catch((error) => {
  console.error(`The sandbox could not start: ${(error as Error).message}`);
  process.exit(1);
});
