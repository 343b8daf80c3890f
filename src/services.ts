import { type TokenCredential } from "@azure/core-auth";
import { QueueClient } from "@azure/storage-queue";
import { type PrivacyPolicy } from "./audit/privacy";
import { PseudonymKeyProvider } from "./audit/privacyKey";
import { AuditStore, tableClientFactory } from "./audit/store";
import { getConfig, type AppConfig } from "./config";
import { GraphClient } from "./graph/client";
import { TokenRoleWatcher, type TokenRoles } from "./graph/tokenRoles";
import { createCredential } from "./identity";
import { PseudonymKeyUnavailableError } from "./errors";

/**
 * The process's shared clients, built on first use from the settings: one credential for everything,
 * and two Graph clients over it. The interactive one serves HTTP callers and gives up on long
 * Retry-After pauses (the caller gets 429 with Retry-After); the background one serves the audit and
 * waits as long as Graph asks.
 */
export type GraphPurpose = "interactive" | "background";

let credential: TokenCredential | undefined;
let graphCredential: TokenRoleWatcher | undefined;
const graphClients = new Map<GraphPurpose, GraphClient>();
let auditStore: AuditStore | undefined;
const queueClients = new Map<string, QueueClient>();

export function getCredential(config: AppConfig = getConfig()): TokenCredential {
  credential ??= createCredential(config);
  return credential;
}

export function getGraphClient(purpose: GraphPurpose = "interactive", config: AppConfig = getConfig()): GraphClient {
  let client = graphClients.get(purpose);
  if (!client) {
    const { graph } = config;
    client = new GraphClient({
      baseUrl: graph.baseUrl,
      scope: graph.scope,
      credential: (graphCredential ??= new TokenRoleWatcher(getCredential(config))),
      retryOptions: {
        maxRetries: graph.maxRetries,
        retryDelayInMs: graph.retryDelayInMs,
        maxRetryDelayInMs: graph.maxRetryDelayInMs,
      },
      tryTimeoutInMs: graph.tryTimeoutInMs,
      maxRetryAfterInMs: purpose === "interactive" ? graph.maxRetryAfterInMs : undefined,
    });
    graphClients.set(purpose, client);
  }
  return client;
}

/** The application roles of the app's current Graph token (undefined before the first one, or if unreadable). */
export function getGraphTokenRoles(): TokenRoles | undefined {
  return graphCredential?.current();
}

/** The audit tables, over the storage the settings name (AzureWebJobsStorage: connection string or identity). */
export function getAuditStore(config: AppConfig = getConfig()): AuditStore {
  auditStore ??= new AuditStore(
    config.audit.tablePrefix,
    tableClientFactory(config.storage, () => getCredential(config)),
  );
  return auditStore;
}

/** A client for a queue of the app's storage account (the audit's fan-out queue by default). */
export function getQueueClient(
  queueName: string = getConfig().audit.queueName,
  config: AppConfig = getConfig(),
): QueueClient {
  let client = queueClients.get(queueName);
  if (!client) {
    const { storage } = config;
    client =
      storage.kind === "connectionString"
        ? new QueueClient(storage.connectionString, queueName)
        : new QueueClient(`${storage.queueServiceUri}/${queueName}`, getCredential(config));
    queueClients.set(queueName, client);
  }
  return client;
}

/** For tests and the sandbox: drop the shared clients so the next use builds them from fresh settings. */
export function resetServices(): void {
  credential = undefined;
  graphCredential = undefined;
  graphClients.clear();
  auditStore = undefined;
  queueClients.clear();
  keyProvider = undefined;
}

let keyProvider: PseudonymKeyProvider | undefined;

/** The pseudonym key (AUDIT_HASH_KEY), read from the setting or its Key Vault secret. */
export function getPseudonymKeyProvider(config: AppConfig = getConfig()): PseudonymKeyProvider {
  keyProvider ??= new PseudonymKeyProvider(config.audit.hashKey, () => getCredential(config));
  return keyProvider;
}

/** The privacy settings with the key resolved; `create` lets the audit timer create a missing Key Vault secret. */
export async function getPrivacyPolicy(
  options: { create?: boolean } = {},
  config: AppConfig = getConfig(),
): Promise<PrivacyPolicy> {
  const { redactUsers, omitDocumentNames } = config.audit;
  const key = await getPseudonymKeyProvider(config).get(options);
  if (redactUsers === "hash" && !key)
    throw new PseudonymKeyUnavailableError("Setting AUDIT_HASH_KEY is required with AUDIT_REDACT_USERS=hash.");
  return { redactUsers, omitDocumentNames, ...(key ? { key } : {}) };
}

/** For finding a user's rows: the policy with the key when it can be read (required only under hash). */
export async function getPrivacyForLookup(config: AppConfig = getConfig()): Promise<PrivacyPolicy> {
  try {
    return await getPrivacyPolicy({}, config);
  } catch (error) {
    if (!(error instanceof PseudonymKeyUnavailableError) || config.audit.redactUsers === "hash") throw error;
    return { redactUsers: config.audit.redactUsers, omitDocumentNames: config.audit.omitDocumentNames };
  }
}
