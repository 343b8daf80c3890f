import { graphClouds, graphScope, isGraphCloudName, type GraphCloud } from "./clouds";
import { ConfigError } from "../errors";
import { isGuid } from "../validation";
import { integer, oneOf, parseServiceUrl, text, type Env } from "./env";

export type CredentialMode = "managedIdentity" | "developer";

export interface GraphSettings {
  cloud: GraphCloud;
  /** Base URL with the version, no trailing slash, e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  /** Token scope: the cloud's Graph resource + /.default */
  scope: string;
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  /** Each try of a Graph request gives up after this long (then the retry policy decides). */
  tryTimeoutInMs: number;
  /** An HTTP caller is answered 429 instead of waiting when Graph asks for a longer pause than this. */
  maxRetryAfterInMs: number;
}

export interface CredentialSettings {
  mode: CredentialMode;
  /** Client id of a user-assigned managed identity; unset = system-assigned. */
  clientId?: string;
}

export function graphSettings(env: Env): GraphSettings {
  const cloudName = text(env, "GRAPH_CLOUD")?.toLowerCase() ?? "global";
  if (!isGraphCloudName(cloudName)) {
    throw new ConfigError("GRAPH_CLOUD", `"${cloudName}" is not one of ${Object.keys(graphClouds).join(", ")}.`);
  }
  const cloud = graphClouds[cloudName];
  if (!cloud.printSupported) {
    throw new ConfigError(
      "GRAPH_CLOUD",
      `Universal Print is not offered in the "${cloudName}" cloud, so the app has no print jobs to read there; use global, usgov or usgovdod.`,
    );
  }
  const override = text(env, "GRAPH_BASE_URL");
  const baseUrl = override ? parseServiceUrl("GRAPH_BASE_URL", override) : `${cloud.graphHost}/v1.0`;
  return {
    cloud,
    baseUrl,
    scope: graphScope(cloud),
    maxRetries: integer(env, "GRAPH_MAX_RETRIES", 3, 0, 10),
    retryDelayInMs: integer(env, "GRAPH_RETRY_DELAY_MS", 1000, 1, 60_000),
    maxRetryDelayInMs: integer(env, "GRAPH_MAX_RETRY_DELAY_MS", 30_000, 1, 300_000),
    tryTimeoutInMs: integer(env, "GRAPH_TRY_TIMEOUT_MS", 10_000, 100, 120_000),
    maxRetryAfterInMs: integer(env, "GRAPH_MAX_RETRY_AFTER_MS", 5_000, 0, 300_000),
  };
}

export function credentialSettings(env: Env): CredentialSettings {
  const mode = oneOf<CredentialMode>(env, "CREDENTIAL_MODE", ["managedIdentity", "developer"], "managedIdentity");
  const clientId = text(env, "AZURE_CLIENT_ID");
  if (clientId !== undefined && !isGuid(clientId)) {
    throw new ConfigError("AZURE_CLIENT_ID", "must be the client id (a GUID) of a user-assigned managed identity.");
  }
  return { mode, clientId };
}
