/**
 * The whole offline rig in one call: the loopback managed-identity endpoint, the Universal Print
 * simulator, optionally Azurite, and the built app loaded through the local Functions host.
 */
import { resetConfig } from "../../src/config";
import { resetServices } from "../../src/services";
import { UniversalPrintSimulator, type SimulatorOptions } from "../../sandbox/graph/simulator";
import { loadFunctionApp } from "../../sandbox/host/functionApp";
import { type Registration } from "../../sandbox/host/functionsCore";
import { LocalFunctionsHost, type LocalHostOptions } from "../../sandbox/host/functionsHost";
import { ManagedIdentityEndpoint, type IdentityEndpointOptions } from "../../sandbox/identityEndpoint";
import { StrictAzurite, type StrictTablesOptions } from "./strictTables";

export interface RigOptions {
  simulator?: SimulatorOptions;
  /** Adds the printers and jobs the suite works with to the simulator (e.g. addSeedPrinter). */
  tenant?: (sim: UniversalPrintSimulator) => unknown;
  identity?: IdentityEndpointOptions;
  /** Start Azurite and point AzureWebJobsStorage at it, its Tables behind the strict layer (strictTables.ts). */
  storage?: boolean;
  /** Options of the strict Table layer (a round-trip delay, short pages). */
  tables?: StrictTablesOptions;
  host?: LocalHostOptions;
  /** Extra settings for the app (strings, as app settings are). */
  env?: Record<string, string>;
}

export interface Rig {
  sim: UniversalPrintSimulator;
  identity: ManagedIdentityEndpoint;
  /** Azurite; `azurite.tables` counts what the app asked of Tables. */
  azurite?: StrictAzurite;
  host: LocalFunctionsHost;
  registrations: Registration[];
  /** The app's base URL, e.g. http://localhost:PORT/api */
  api: string;
  /** Sets app settings and makes the app read them again on next use. */
  configure(env: Record<string, string | undefined>): void;
  stop(): Promise<void>;
}

/** Settings that keep retries quick in tests; individual tests override them. */
export const fastRetrySettings: Record<string, string> = {
  GRAPH_MAX_RETRIES: "3",
  GRAPH_RETRY_DELAY_MS: "20",
  GRAPH_MAX_RETRY_DELAY_MS: "200",
  GRAPH_TRY_TIMEOUT_MS: "2000",
  GRAPH_MAX_RETRY_AFTER_MS: "2000",
};

let loaded: Registration[] | undefined;

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const identity = await new ManagedIdentityEndpoint(options.identity).start();
  const sim = await new UniversalPrintSimulator(options.simulator).start();
  options.tenant?.(sim);
  const azurite = options.storage ? await new StrictAzurite({ strict: options.tables }).start() : undefined;
  const configure = (env: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    resetServices();
  };
  configure({
    ...identity.env(),
    GRAPH_BASE_URL: sim.baseUrl,
    GRAPH_CLOUD: "global",
    AzureWebJobsStorage: azurite ? azurite.connectionString : "UseDevelopmentStorage=true",
    ...fastRetrySettings,
    ...options.env,
  });
  loaded ??= loadFunctionApp();
  const host = await new LocalFunctionsHost(loaded, options.host).start();
  return {
    sim,
    identity,
    azurite,
    host,
    registrations: loaded,
    api: host.baseUrl,
    configure,
    async stop() {
      await host.stop();
      await sim.stop();
      await identity.stop();
      await azurite?.stop();
    },
  };
}
