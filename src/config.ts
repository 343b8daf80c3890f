import { auditSettings, type AuditSettings } from "./settings/audit";
import { boolean, integer, parseServiceUrl, text, type Env } from "./settings/env";
import { credentialSettings, graphSettings, type CredentialSettings, type GraphSettings } from "./settings/graph";
import { storageSettings, type StorageSettings } from "./settings/storage";

/**
 * Every setting of the app, read once from the environment, validated and typed: the settings of each area
 * are read in src/settings/, and nothing else reads process.env.
 */

export interface HttpSettings {
  /** Every HTTP function answers within this time, whatever Graph does. */
  deadlineInMs: number;
  /** Absolute base URL for links the app hands out (nextLink, Location); defaults to the request's own. */
  publicBaseUrl?: string;
  /**
   * APP_SERVICE_AUTH_ENABLED: App Service authentication checks every caller (the Bicep sets it when it turns Entra
   * sign-in on), so the platform's x-ms-client-principal header can be believed; otherwise any caller could forge it.
   */
  platformAuthentication: boolean;
}

export interface AppConfig {
  graph: GraphSettings;
  credential: CredentialSettings;
  storage: StorageSettings;
  audit: AuditSettings;
  http: HttpSettings;
  /** Whether the app runs in Azure (the platform sets WEBSITE_INSTANCE_ID); used for defaults only. */
  runningInAzure: boolean;
}

function httpSettings(env: Env): HttpSettings {
  const publicBase = text(env, "PUBLIC_BASE_URL");
  return {
    deadlineInMs: integer(env, "HTTP_DEADLINE_MS", 25_000, 1_000, 220_000),
    publicBaseUrl: publicBase ? parseServiceUrl("PUBLIC_BASE_URL", publicBase) : undefined,
    platformAuthentication: boolean(env, "APP_SERVICE_AUTH_ENABLED", false),
  };
}

/** Reads and validates every setting; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env = process.env): AppConfig {
  return {
    graph: graphSettings(env),
    credential: credentialSettings(env),
    storage: storageSettings(env),
    audit: auditSettings(env),
    http: httpSettings(env),
    runningInAzure: text(env, "WEBSITE_INSTANCE_ID") !== undefined,
  };
}

let current: AppConfig | undefined;

/** The process's settings, read on first use. A bad setting throws here, at start-up, naming it. */
export function getConfig(): AppConfig {
  current ??= loadConfig();
  return current;
}

/** For tests and the local sandbox: forget the settings read so far, so the next use reads them again. */
export function resetConfig(): void {
  current = undefined;
}
