// Grants the function app's managed identity the Microsoft Graph application roles it needs, idempotently.
// azd up runs it as its postprovision hook (--azd-hook), before the code is deployed; by hand:
//   npm run grant-graph-permissions [-- --principal-id <id> | --app-name <name>] [--cloud usgov]
// It signs in as the deployer (azd, then the usual developer credentials), never as the app.
import { execFileSync } from "node:child_process";
import { type HttpClient } from "@azure/core-rest-pipeline";
import {
  AzureDeveloperCliCredential,
  ChainedTokenCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from "@azure/identity";
import { parseServiceUrl } from "../src/settings/env";
import { isGuid } from "../src/validation";
import { GraphClient } from "../src/graph/client";
import { graphClouds, graphScope, isGraphCloudName, type GraphCloudName } from "../src/settings/clouds";
import { requiredGraphPermissions, requiredGraphRoles } from "../src/graph/permissions";
import { ConfigError, GraphError } from "../src/errors";

/** Microsoft Graph's well-known application id (the same in every cloud). */
export const graphAppId = "00000003-0000-0000-c000-000000000000";

/** What the app needs, and nothing more (one list, shared with the app's 403 messages). */
export { requiredGraphRoles };

export type GrantErrorCode =
  | "InvalidOptions"
  | "SignInFailed"
  | "DirectoryRoleMissing"
  | "PrincipalNotFound"
  | "AmbiguousPrincipal"
  | "GraphRoleNotFound"
  | "GraphRequestFailed";

/** A failure a person can act on; `code` is for callers that branch. */
export class GrantError extends Error {
  constructor(
    readonly code: GrantErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "GrantError";
  }
}

const directoryRoleMissingMessage =
  "Microsoft Graph denied the request (403 Authorization_RequestDenied): the signed-in deployer may not grant " +
  "Microsoft Graph application roles. Sign in (azd auth login) as someone with the Entra directory role " +
  "Privileged Role Administrator (or Global Administrator), or run this with an app that has the Graph application " +
  "permissions AppRoleAssignment.ReadWrite.All and Application.Read.All. Application Administrator and Cloud " +
  "Application Administrator are not enough for Microsoft Graph's own app roles.";

export interface GrantOptions {
  /** The deployer's credential (never the app's). */
  credential: TokenCredential;
  /** National cloud; picks Graph's host and the token scope. Default global. */
  cloud?: GraphCloudName;
  /** Graph base with the version (e.g. https://graph.microsoft.us/v1.0); https only, except loopback http for tests. */
  baseUrl?: string;
  /** Object id of the managed identity's service principal (FUNCTION_PRINCIPAL_ID). */
  principalId?: string;
  /** Function app name; the system-assigned identity's service principal has the same display name. */
  appName?: string;
  /** Progress lines for a person. */
  log?: (line: string) => void;
  httpClient?: HttpClient;
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

export interface GrantResult {
  principal: { id: string; displayName: string };
  /** Roles assigned by this run. */
  granted: string[];
  /** Roles the identity already had. */
  alreadyGranted: string[];
}

interface ServicePrincipal {
  id: string;
  appId?: string;
  displayName?: string;
  servicePrincipalType?: string;
  appRoles?: AppRole[];
}

interface AppRole {
  id: string;
  value: string | null;
  isEnabled?: boolean;
  allowedMemberTypes?: string[];
}

interface AppRoleAssignment {
  id?: string;
  appRoleId: string;
  resourceId: string;
  principalId: string;
}

/** Resolves the Graph base URL and the token scope from the cloud and an optional override. */
export function resolveGraphEndpoint(
  cloud: GraphCloudName = "global",
  baseUrl?: string,
): { baseUrl: string; scope: string } {
  if (!isGraphCloudName(cloud)) {
    throw new GrantError(
      "InvalidOptions",
      `Unknown Graph cloud "${String(cloud)}": use one of ${Object.keys(graphClouds).join(", ")}.`,
    );
  }
  const scope = graphScope(graphClouds[cloud]);
  if (!baseUrl) return { baseUrl: `${graphClouds[cloud].graphHost}/v1.0`, scope };
  try {
    return { baseUrl: parseServiceUrl("GRAPH_BASE_URL", baseUrl), scope };
  } catch (error) {
    throw new GrantError("InvalidOptions", error instanceof ConfigError ? error.message : String(error));
  }
}

function isDenied(error: unknown): boolean {
  return error instanceof GraphError && error.statusCode === 403;
}

/** Turns Graph failures into errors a person can act on; everything else passes through. */
function explain(error: unknown, what: string): never {
  if (error instanceof GrantError) throw error;
  if (error instanceof GraphError && error.kind === "credential") {
    throw new GrantError(
      "SignInFailed",
      `Could not get a Microsoft Graph token as the deployer: run \`azd auth login\` (or \`az login\`) in the app's ` +
        `tenant first (azd auth login --tenant-id <tenant> for another tenant). Details: ${String(
          (error.cause as Error | undefined)?.message ?? error.message,
        )
          .split("\n")
          .slice(0, 3)
          .join(" ")}`,
    );
  }
  if (isDenied(error)) throw new GrantError("DirectoryRoleMissing", directoryRoleMissingMessage);
  if (error instanceof GraphError) {
    throw new GrantError(
      "GraphRequestFailed",
      `${what} failed: ${error.message}${error.requestId ? ` (request-id ${error.requestId})` : ""}`,
    );
  }
  throw error;
}

async function listAll<T>(graph: GraphClient, path: string): Promise<T[]> {
  const items: T[] = [];
  for await (const item of graph.list<T>(path)) items.push(item);
  return items;
}

async function findManagedIdentity(
  graph: GraphClient,
  principalId?: string,
  appName?: string,
): Promise<ServicePrincipal> {
  const select = "$select=id,appId,displayName,servicePrincipalType";
  if (principalId) {
    if (!isGuid(principalId)) {
      throw new GrantError("InvalidOptions", `--principal-id "${principalId}" is not an object id (a GUID).`);
    }
    try {
      return (await graph.requestJson<ServicePrincipal>("GET", `/servicePrincipals/${principalId}?${select}`)).body;
    } catch (error) {
      if (error instanceof GraphError && error.statusCode === 404) {
        throw new GrantError(
          "PrincipalNotFound",
          `No service principal with object id ${principalId} in this tenant. Use the managed identity's principal ` +
            "(object) id from `azd env get-value FUNCTION_PRINCIPAL_ID`, sign in to the app's tenant, and if the app " +
            "was created moments ago wait a minute for Entra ID to replicate and re-run.",
        );
      }
      return explain(error, "Looking up the managed identity");
    }
  }
  if (!appName) {
    throw new GrantError(
      "InvalidOptions",
      "Say which identity to grant: --principal-id <object id> (or FUNCTION_PRINCIPAL_ID), or --app-name <function app> " +
        "(or AZURE_FUNCTION_APP_NAME). Run from the azd project so they are read from the azd environment.",
    );
  }
  const filter = `displayName eq '${appName.replace(/'/g, "''")}' and servicePrincipalType eq 'ManagedIdentity'`;
  let found: ServicePrincipal[];
  try {
    found = await listAll<ServicePrincipal>(
      graph,
      `/servicePrincipals?$filter=${encodeURIComponent(filter)}&${select}`,
    );
  } catch (error) {
    return explain(error, "Looking up the managed identity");
  }
  if (found.length === 0) {
    throw new GrantError(
      "PrincipalNotFound",
      `No managed identity named "${appName}" in this tenant. Check the app name and that it has a system-assigned ` +
        "identity; for a user-assigned identity pass --principal-id (FUNCTION_PRINCIPAL_ID).",
    );
  }
  if (found.length > 1) {
    throw new GrantError(
      "AmbiguousPrincipal",
      `${found.length} managed identities are named "${appName}" (${found.map((p) => p.id).join(", ")}); pass --principal-id.`,
    );
  }
  return found[0];
}

/** Finds the identity and Graph's service principal, then assigns only the missing Graph app roles. */
export async function grantGraphPermissions(options: GrantOptions): Promise<GrantResult> {
  const log = options.log ?? (() => undefined);
  const endpoint = resolveGraphEndpoint(options.cloud, options.baseUrl);
  const graph = new GraphClient({
    credential: options.credential,
    baseUrl: endpoint.baseUrl,
    scope: endpoint.scope,
    httpClient: options.httpClient,
    retryOptions: options.retryOptions,
    userAgentPrefix: "universal-print-jobs-grant",
  });
  log(`Microsoft Graph: ${endpoint.baseUrl}`);

  const principal = await findManagedIdentity(graph, options.principalId, options.appName);
  const principalName = principal.displayName ?? principal.id;
  log(`Managed identity: ${principalName} (object id ${principal.id})`);

  let graphSp: ServicePrincipal;
  try {
    graphSp = (
      await graph.requestJson<ServicePrincipal>(
        "GET",
        `/servicePrincipals(appId='${graphAppId}')?$select=id,appId,displayName,appRoles`,
      )
    ).body;
  } catch (error) {
    return explain(error, "Looking up Microsoft Graph's service principal");
  }

  const wanted = requiredGraphRoles.map((value) => {
    const role = (graphSp.appRoles ?? []).find(
      (r) =>
        r.value === value && r.isEnabled !== false && (r.allowedMemberTypes ?? ["Application"]).includes("Application"),
    );
    if (!role) {
      throw new GrantError("GraphRoleNotFound", `Microsoft Graph in this cloud offers no application role ${value}.`);
    }
    return { value, id: role.id };
  });

  let existing: AppRoleAssignment[];
  try {
    existing = await listAll<AppRoleAssignment>(graph, `/servicePrincipals/${principal.id}/appRoleAssignments`);
  } catch (error) {
    return explain(error, "Listing the identity's app role assignments");
  }
  const held = new Set(existing.filter((a) => a.resourceId === graphSp.id).map((a) => a.appRoleId));

  const result: GrantResult = {
    principal: { id: principal.id, displayName: principalName },
    granted: [],
    alreadyGranted: [],
  };
  for (const role of wanted) {
    if (held.has(role.id)) {
      result.alreadyGranted.push(role.value);
      log(`Already granted: ${role.value}`);
      continue;
    }
    try {
      await graph.requestJson("POST", `/servicePrincipals/${principal.id}/appRoleAssignments`, {
        principalId: principal.id,
        resourceId: graphSp.id,
        appRoleId: role.id,
      });
      result.granted.push(role.value);
      log(`Granted: ${role.value}`);
    } catch (error) {
      // Someone else granted it between our list and our POST: the state we want.
      if (error instanceof GraphError && error.statusCode === 400 && /already exists/i.test(error.message)) {
        result.alreadyGranted.push(role.value);
        log(`Already granted: ${role.value}`);
        continue;
      }
      return explain(error, `Granting ${role.value}`);
    }
  }
  log(`Done: ${result.granted.length} granted, ${result.alreadyGranted.length} already in place.`);
  return result;
}

interface CliArgs {
  principalId?: string;
  appName?: string;
  cloud?: string;
  baseUrl?: string;
  help: boolean;
  /** Run by azd's postprovision hook: never fail the deployment, say what to do instead. */
  azdHook: boolean;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { help: false, azdHook: false };
  const flags: Record<string, keyof Omit<CliArgs, "help" | "azdHook">> = {
    "--principal-id": "principalId",
    "--app-name": "appName",
    "--cloud": "cloud",
    "--base-url": "baseUrl",
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--help" || flag === "-h") {
      args.help = true;
      continue;
    }
    if (flag === "--azd-hook") {
      args.azdHook = true;
      continue;
    }
    const key = flags[flag];
    if (!key) throw new GrantError("InvalidOptions", `Unknown argument ${argv[i]}; see --help.`);
    const value = inline ?? argv[++i];
    if (!value) throw new GrantError("InvalidOptions", `${flag} needs a value.`);
    args[key] = value;
  }
  return args;
}

const usage = `Usage: npm run grant-graph-permissions -- [--principal-id <object id> | --app-name <function app>]
                                        [--cloud global|usgov|usgovdod|china] [--base-url <graph base>] [--azd-hook]
Grants the function app's managed identity the Microsoft Graph application roles
${requiredGraphPermissions}, skipping any it already has.
--azd-hook: as azd up's postprovision hook runs it: waits for a just-created identity to replicate, and when the
grant cannot be done (no directory role, not signed in) says so and exits 0, so the deployment goes on.
Defaults come from the environment or, failing that, the azd environment: FUNCTION_PRINCIPAL_ID,
AZURE_FUNCTION_APP_NAME, GRAPH_CLOUD, GRAPH_BASE_URL, AZURE_TENANT_ID.
Needs the Entra role Privileged Role Administrator (or an app with AppRoleAssignment.ReadWrite.All +
Application.Read.All).`;

/** The azd environment's values (from `azd env get-values`), or nothing when azd is absent or has no environment. */
function azdEnvironment(): Record<string, string> {
  try {
    const out = execFileSync("azd", ["env", "get-values", "--output", "json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return JSON.parse(out) as Record<string, string>;
  } catch {
    return {};
  }
}

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Injected in tests; default: azd's login, then DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Injected in tests; default: `azd env get-values`. */
  azdEnv?: () => Record<string, string>;
  retryOptions?: GrantOptions["retryOptions"];
  /** Injected in tests; default: a real pause (the wait for a just-created identity to replicate). */
  sleep?: (ms: number) => Promise<void>;
}

/** Pauses before each new look for a just-created identity (Entra ID replicates it within a minute or so). */
export const replicationWaitsInMs: readonly number[] = [5_000, 10_000, 15_000, 30_000];

const hookPrefix = "postprovision (Graph grant)";

/** What the hook prints when the grant could not be done: azd up goes on, and the app will say what is missing. */
function hookSkipped(error: GrantError, principalId: string | undefined): string {
  const grantBy = principalId
    ? `npm run grant-graph-permissions -- --principal-id ${principalId}`
    : "npm run grant-graph-permissions";
  const reason =
    error.code === "DirectoryRoleMissing"
      ? "the signed-in deployer may not grant Microsoft Graph application roles (it needs the Entra role Privileged Role Administrator or Global Administrator)"
      : error.message;
  return (
    `${hookPrefix}: SKIPPED, ${reason}. azd up goes on and deploys the app, which answers 403 and records failed audit runs ` +
    `naming the missing roles (${requiredGraphRoles.join(", ")}) until someone with that role runs: ${grantBy}. ` +
    "Granted after the app has asked Graph for a token, the roles can take up to about 24 hours to reach it (see docs/deploying.md)."
  );
}

/** Command line entry point; returns the process exit code (0 done, 1 failed, 2 bad usage). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  // Known before parsing, so that even a bad argument cannot fail azd up.
  const hookMode = argv.includes("--azd-hook");
  let hookPrincipalId: string | undefined;
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout(usage);
      return 0;
    }
    // The shell's environment wins over the azd environment's values.
    const settings: Record<string, string | undefined> = { ...(io.azdEnv ?? azdEnvironment)(), ...env };
    const cloud = (args.cloud ?? settings.GRAPH_CLOUD ?? "global").toLowerCase();
    if (!isGraphCloudName(cloud)) {
      throw new GrantError(
        "InvalidOptions",
        `Unknown Graph cloud "${cloud}": use one of ${Object.keys(graphClouds).join(", ")}.`,
      );
    }
    const tenantId = settings.AZURE_TENANT_ID || undefined;
    const credential =
      io.credential ??
      new ChainedTokenCredential(
        new AzureDeveloperCliCredential({ tenantId }),
        new DefaultAzureCredential({ tenantId }),
      );
    const principalId = args.principalId ?? (args.appName ? undefined : settings.FUNCTION_PRINCIPAL_ID || undefined);
    hookPrincipalId = principalId;
    const grant = (): Promise<GrantResult> =>
      grantGraphPermissions({
        credential,
        cloud,
        baseUrl: args.baseUrl ?? (settings.GRAPH_BASE_URL || undefined),
        principalId,
        appName: principalId ? undefined : (args.appName ?? (settings.AZURE_FUNCTION_APP_NAME || undefined)),
        log: io.stdout,
        retryOptions: io.retryOptions,
      });
    if (!args.azdHook) {
      await grant();
      return 0;
    }
    // The identity was created moments ago: Entra ID may not list it yet.
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await grant();
        io.stdout(
          `${hookPrefix}: ${requiredGraphPermissions} in place for ${result.principal.displayName} before the code is deployed, ` +
            "so the app's first Graph token carries them.",
        );
        return 0;
      } catch (error) {
        const wait = replicationWaitsInMs[attempt];
        if (!(error instanceof GrantError && error.code === "PrincipalNotFound") || wait === undefined) throw error;
        io.stdout(`${hookPrefix}: the identity is not in Entra ID yet; looking again in ${wait / 1000} s.`);
        await sleep(wait);
      }
    }
  } catch (error) {
    if (hookMode && error instanceof GrantError) {
      io.stdout(hookSkipped(error, hookPrincipalId));
      return 0;
    }
    if (hookMode) {
      io.stdout(
        `${hookPrefix}: SKIPPED after an unexpected failure (${error instanceof Error ? error.message : String(error)}). azd up goes on; run npm run grant-graph-permissions afterwards.`,
      );
      return 0;
    }
    if (error instanceof GrantError) {
      io.stderr(`grant-graph-permissions: ${error.message}`);
      return error.code === "InvalidOptions" ? 2 : 1;
    }
    // Only the message: an error object could carry request details.
    io.stderr(`grant-graph-permissions: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env, {
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
  }).then((code) => {
    process.exitCode = code;
  });
}
