/**
 * A Graph client of the app's own (src/graph/client.ts) against the simulator, signed in through the loopback
 * managed-identity endpoint, with quick retries: for suites that test the client itself, without the host.
 */
import { after, before, beforeEach } from "node:test";
import { ManagedIdentityCredential } from "@azure/identity";
import { GraphClient } from "../../src/graph/client";
import { ManagedIdentityEndpoint } from "../../sandbox/identityEndpoint";
import { UniversalPrintSimulator } from "../../sandbox/graph/simulator";
import { addGeneratedTenant } from "../../sandbox/tenant";

export interface GraphRig {
  sim: UniversalPrintSimulator;
  identity: ManagedIdentityEndpoint;
  graph: GraphClient;
  stop(): Promise<void>;
}

export interface GraphRigOptions {
  /** The simulator's page size. */
  pageSize: number;
  /** One printer (printerIdFor(1)) with this many jobs, each with `tasksPerJob` tasks. */
  jobsPerPrinter: number;
  tasksPerJob: number;
  /** The managed identity's client id (each suite its own, so tokens are not shared between suites). */
  clientId: string;
}

/**
 * A file's Graph rig: started before its tests, the simulator's faults cleared before each test, stopped after
 * them. `sim` and `graph` are there once the file's tests run.
 */
export function useGraphRig(options: GraphRigOptions): Pick<GraphRig, "sim" | "graph"> {
  let rig: GraphRig | undefined;
  before(async () => (rig = await startGraphRig(options)));
  after(() => rig?.stop());
  beforeEach(() => rig!.sim.clearFaults());
  return {
    get sim() {
      return rig!.sim;
    },
    get graph() {
      return rig!.graph;
    },
  };
}

export async function startGraphRig(options: GraphRigOptions): Promise<GraphRig> {
  const identity = await new ManagedIdentityEndpoint().start();
  const sim = await new UniversalPrintSimulator({ pageSize: options.pageSize }).start();
  addGeneratedTenant(sim, { printers: 1, jobsPerPrinter: options.jobsPerPrinter, tasksPerJob: options.tasksPerJob });
  Object.assign(process.env, identity.env());
  const graph = new GraphClient({
    baseUrl: sim.baseUrl,
    scope: "https://graph.microsoft.com/.default",
    credential: new ManagedIdentityCredential({ clientId: options.clientId }),
    retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    tryTimeoutInMs: 2000,
  });
  return {
    sim,
    identity,
    graph,
    async stop() {
      await sim.stop();
      await identity.stop();
    },
  };
}
