import { graphClouds, graphScope, isGraphCloudName, type GraphCloud } from "./graph/clouds";
import { ConfigError } from "./errors";

export type CredentialMode = "managedIdentity" | "developer";
export type RedactUsers = "none" | "hash" | "omit";

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

export type StorageSettings =
  | { kind: "connectionString"; connectionString: string }
  | {
      kind: "identity";
      blobServiceUri: string;
      queueServiceUri: string;
      tableServiceUri: string;
      /** Client id of the user-assigned identity the host uses for storage, if any. */
      clientId?: string;
    };

export interface AuditSettings {
  printerIds: string[];
  discoverPrinters: boolean;
  schedule: string;
  queueName: string;
  tablePrefix: string;
  redactUsers: RedactUsers;
  omitDocumentNames: boolean;
  retentionDays: number;
  retentionSchedule: string;
  /** The secret key of user pseudonyms and of the erasure list (AUDIT_HASH_KEY); required under AUDIT_REDACT_USERS=hash. */
  hashKey?: HashKeySource;
}

/**
 * Where the pseudonym key comes from: the key itself (the sandbox, or a Key Vault reference App Service has
 * resolved), or a Key Vault secret the app reads (and creates on first use) itself, when App Service has not
 * resolved the reference (it leaves the reference text in place while the secret does not exist yet).
 */
export type HashKeySource = { kind: "value"; key: Buffer } | { kind: "keyVault"; secretUri: string };

export interface HttpSettings {
  /** Every HTTP function answers within this time, whatever Graph does. */
  deadlineInMs: number;
  /** Absolute base URL for links the app hands out (nextLink, Location); defaults to the request's own. */
  publicBaseUrl?: string;
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

export type Env = Readonly<Record<string, string | undefined>>;

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number.`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}.`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not true or false.`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(", ")}.`);
  return match;
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** An absolute https URL (http only for loopback hosts), returned without a trailing slash. */
export function parseServiceUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not an absolute URL.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new ConfigError(name, `must use https (plain http is allowed only for loopback hosts), got "${raw}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, "must not carry a query, fragment or credentials.");
  }
  return url.toString().replace(/\/+$/, "");
}

function graphSettings(env: Env): GraphSettings {
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

function credentialSettings(env: Env): CredentialSettings {
  const mode = oneOf<CredentialMode>(env, "CREDENTIAL_MODE", ["managedIdentity", "developer"], "managedIdentity");
  const clientId = text(env, "AZURE_CLIENT_ID");
  if (clientId !== undefined && !isGuid(clientId)) {
    throw new ConfigError("AZURE_CLIENT_ID", "must be the client id (a GUID) of a user-assigned managed identity.");
  }
  return { mode, clientId };
}

const storagePrefix = "AzureWebJobsStorage";

function storageSettings(env: Env): StorageSettings {
  const connectionString = text(env, storagePrefix);
  if (connectionString) {
    if (connectionString !== "UseDevelopmentStorage=true" && !/AccountName=|TableEndpoint=/i.test(connectionString)) {
      // Never echo the value: it may hold an account key.
      throw new ConfigError(
        storagePrefix,
        "is not a storage connection string (expected AccountName=… or UseDevelopmentStorage=true).",
      );
    }
    return { kind: "connectionString", connectionString };
  }
  const accountName = text(env, `${storagePrefix}__accountName`);
  const uri = (service: "blob" | "queue" | "table"): string => {
    const name = `${storagePrefix}__${service}ServiceUri`;
    const raw = text(env, name);
    if (raw) return parseServiceUrl(name, raw);
    if (accountName) {
      if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
        throw new ConfigError(`${storagePrefix}__accountName`, `"${accountName}" is not a storage account name.`);
      }
      return `https://${accountName}.${service}.core.windows.net`;
    }
    throw new ConfigError(
      storagePrefix,
      `is not set: give a connection string, or the identity-based ${storagePrefix}__${service}ServiceUri (or ${storagePrefix}__accountName).`,
    );
  };
  const clientId = text(env, `${storagePrefix}__clientId`);
  return {
    kind: "identity",
    blobServiceUri: uri("blob"),
    queueServiceUri: uri("queue"),
    tableServiceUri: uri("table"),
    clientId,
  };
}

/** Printer ids from a comma- or space-separated list; each must be a GUID. Duplicates are dropped. */
export function parsePrinterIds(name: string, raw: string | undefined): string[] {
  if (!raw) return [];
  const ids = raw.split(/[\s,;]+/).filter((s) => s.length > 0);
  const bad = ids.filter((id) => !isGuid(id));
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 3)
      .map((b) => `"${b.slice(0, 40)}"`)
      .join(", ");
    throw new ConfigError(name, `${bad.length} value(s) are not printer GUIDs: ${shown}.`);
  }
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/** A six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}). */
export function parseSchedule(name: string, raw: string): string {
  const fields = raw.trim().split(/\s+/);
  if (fields.length !== 6 || fields.some((f) => !/^[\d*/,\-A-Za-z]+$/.test(f))) {
    throw new ConfigError(name, `"${raw}" is not a six-field NCRONTAB expression such as "0 */10 * * * *".`);
  }
  return fields.join(" ");
}

function auditSettings(env: Env): AuditSettings {
  const tablePrefix = text(env, "AUDIT_TABLE_PREFIX") ?? "printaudit";
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(tablePrefix)) {
    throw new ConfigError(
      "AUDIT_TABLE_PREFIX",
      "must start with a letter and hold only letters and digits (at most 40).",
    );
  }
  const queueName = text(env, "AUDIT_QUEUE_NAME") ?? "print-audit";
  // At most 56 characters: the host's poison queue adds "-poison" and queue names stop at 63.
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/.test(queueName)) {
    throw new ConfigError(
      "AUDIT_QUEUE_NAME",
      `"${queueName}" is not a valid queue name (3-56 lower-case letters, digits, single dashes).`,
    );
  }
  const redactUsers = oneOf<RedactUsers>(env, "AUDIT_REDACT_USERS", ["none", "hash", "omit"], "none");
  return {
    printerIds: parsePrinterIds("AUDIT_PRINTER_IDS", text(env, "AUDIT_PRINTER_IDS")),
    discoverPrinters: boolean(env, "AUDIT_DISCOVER_PRINTERS", false),
    schedule: parseSchedule("AUDIT_SCHEDULE", text(env, "AUDIT_SCHEDULE") ?? "0 */10 * * * *"),
    queueName,
    tablePrefix,
    redactUsers,
    omitDocumentNames: boolean(env, "AUDIT_OMIT_DOCUMENT_NAMES", false),
    retentionDays: integer(env, "AUDIT_RETENTION_DAYS", 400, 1, 36_500),
    retentionSchedule: parseSchedule(
      "AUDIT_RETENTION_SCHEDULE",
      text(env, "AUDIT_RETENTION_SCHEDULE") ?? "0 30 3 * * *",
    ),
    hashKey: hashKeySetting(env, redactUsers),
  };
}

const keyVaultReference = /^@Microsoft\.KeyVault\(SecretUri=([^)\s]+)\)$/i;

/** AUDIT_HASH_KEY: at least 32 random bytes (base64 or hex), or a Key Vault reference by SecretUri. Its value is never quoted. */
export function hashKeySetting(env: Env, redactUsers: RedactUsers): HashKeySource | undefined {
  if (env["AUDIT_HASH_SALT"] !== undefined) {
    throw new ConfigError(
      "AUDIT_HASH_SALT",
      "is no longer read: its default was public, so pseudonyms could be reversed. Remove it and set AUDIT_HASH_KEY (the Bicep wires a Key Vault secret the app creates); rows hashed with the salt are re-pseudonymized with the key by the next audit run.",
    );
  }
  const raw = text(env, "AUDIT_HASH_KEY");
  if (raw === undefined) {
    if (redactUsers === "hash") {
      throw new ConfigError(
        "AUDIT_HASH_KEY",
        "is required with AUDIT_REDACT_USERS=hash: set it to a Key Vault reference (@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/audit-hash-key/)) or, locally, to 32 random bytes in base64 (openssl rand -base64 32).",
      );
    }
    return undefined;
  }
  const reference = keyVaultReference.exec(raw);
  if (reference) {
    const secretUri = parseServiceUrl("AUDIT_HASH_KEY", reference[1]!);
    if (!/^https?:\/\/[^/]+\/secrets\/[0-9A-Za-z-]{1,127}(\/[0-9a-f]{32})?$/i.test(secretUri)) {
      throw new ConfigError(
        "AUDIT_HASH_KEY",
        "the Key Vault reference must name a secret: SecretUri=https://<vault>.vault.azure.net/secrets/<name>/ (no version, so a rotation is picked up).",
      );
    }
    return { kind: "keyVault", secretUri: `${secretUri}/` };
  }
  if (/^@Microsoft\.KeyVault\(/i.test(raw)) {
    throw new ConfigError("AUDIT_HASH_KEY", "only the SecretUri=... form of a Key Vault reference is read.");
  }
  const key =
    /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0
      ? Buffer.from(raw, "hex")
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)
        ? Buffer.from(raw, "base64")
        : undefined;
  if (!key || key.length < 32 || new Set(key).size < 16) {
    throw new ConfigError(
      "AUDIT_HASH_KEY",
      "must be at least 32 random bytes in base64 or hex (openssl rand -base64 32), or a Key Vault reference; the value given is not (it is not shown).",
    );
  }
  return { kind: "value", key };
}

function httpSettings(env: Env): HttpSettings {
  const publicBase = text(env, "PUBLIC_BASE_URL");
  return {
    deadlineInMs: integer(env, "HTTP_DEADLINE_MS", 25_000, 1_000, 220_000),
    publicBaseUrl: publicBase ? parseServiceUrl("PUBLIC_BASE_URL", publicBase) : undefined,
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
