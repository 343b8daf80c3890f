/**
 * The process's shared clients, built on first use from the process's settings (getConfig) and kept until
 * resetServices: one credential for everything, and two Graph clients over it. The interactive one serves
 * HTTP callers and gives up on long Retry-After pauses (the caller gets 429 with Retry-After); the
 * background one serves the audit and waits as long as Graph asks.
 */
import { type TokenCredential } from "@azure/core-auth";
import { QueueClient } from "@azure/storage-queue";
import { type PrivacyPolicy } from "./audit/privacy";
import { PseudonymKeyProvider } from "./audit/privacy";
import { BlobAnchor, evidenceContainer, type EvidenceAnchor } from "./audit/integrity";
import { AuditStore, tableClientFactory } from "./audit/store";
import { getConfig } from "./config";
import { GraphClient } from "./graph/client";
import { TokenRoleWatcher, type TokenRoles } from "./graph/tokenRoles";
import { createCredential } from "./identity";
import { PseudonymKeyUnavailableError } from "./errors";

/** Which of the two Graph clients: for HTTP callers (no long pauses) or for the audit (waits as Graph asks). */
export type GraphPurpose = "interactive" | "background";

let credential: TokenCredential | undefined;
let graphCredential: TokenRoleWatcher | undefined;
const graphClients = new Map<GraphPurpose, GraphClient>();
let auditStore: AuditStore | undefined;
const queueClients = new Map<string, QueueClient>();
let keyProvider: PseudonymKeyProvider | undefined;
let evidenceAnchor: EvidenceAnchor | undefined;

export function getCredential(): TokenCredential {
  credential ??= createCredential(getConfig());
  return credential;
}

export function getGraphClient(purpose: GraphPurpose = "interactive"): GraphClient {
  let client = graphClients.get(purpose);
  if (!client) {
    const { graph } = getConfig();
    client = new GraphClient({
      baseUrl: graph.baseUrl,
      scope: graph.scope,
      credential: (graphCredential ??= new TokenRoleWatcher(getCredential())),
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
export function getAuditStore(): AuditStore {
  if (!auditStore) {
    const { audit, storage } = getConfig();
    auditStore = new AuditStore(audit.tablePrefix, tableClientFactory(storage, getCredential));
  }
  return auditStore;
}

/** The evidence anchor: append blobs in AUDIT_EVIDENCE_CONTAINER of the same storage account, with the same credential. */
export function getEvidenceAnchor(): EvidenceAnchor {
  if (!evidenceAnchor) {
    const { audit, storage } = getConfig();
    evidenceAnchor = new BlobAnchor(evidenceContainer(storage, audit.evidenceContainer, getCredential));
  }
  return evidenceAnchor;
}

/** A client for a queue of the app's storage account (the audit's fan-out queue by default). */
export function getQueueClient(queueName: string = getConfig().audit.queueName): QueueClient {
  let client = queueClients.get(queueName);
  if (!client) {
    const { storage } = getConfig();
    client =
      storage.kind === "connectionString"
        ? new QueueClient(storage.connectionString, queueName)
        : new QueueClient(`${storage.queueServiceUri}/${queueName}`, getCredential());
    queueClients.set(queueName, client);
  }
  return client;
}

/** The pseudonym key (AUDIT_HASH_KEY), read from the setting or its Key Vault secret. */
export function getPseudonymKeyProvider(): PseudonymKeyProvider {
  keyProvider ??= new PseudonymKeyProvider(getConfig().audit.hashKey, getCredential);
  return keyProvider;
}

/** For tests and the sandbox: drop the shared clients so the next use builds them from fresh settings. */
export function resetServices(): void {
  credential = undefined;
  graphCredential = undefined;
  graphClients.clear();
  auditStore = undefined;
  queueClients.clear();
  keyProvider = undefined;
  evidenceAnchor = undefined;
}

/** The privacy settings with the key resolved; `create` lets the audit timer create a missing Key Vault secret. */
export async function getPrivacyPolicy(options: { create?: boolean } = {}): Promise<PrivacyPolicy> {
  const { redactUsers, omitDocumentNames } = getConfig().audit;
  const key = await getPseudonymKeyProvider().get(options);
  if (redactUsers === "hash" && !key)
    throw new PseudonymKeyUnavailableError("Setting AUDIT_HASH_KEY is required with AUDIT_REDACT_USERS=hash.");
  return { redactUsers, omitDocumentNames, ...(key ? { key } : {}) };
}

/** For finding a user's rows: the policy with the key when it can be read (required only under hash). */
export async function getPrivacyForLookup(): Promise<PrivacyPolicy> {
  const { redactUsers, omitDocumentNames } = getConfig().audit;
  try {
    return await getPrivacyPolicy();
  } catch (error) {
    if (!(error instanceof PseudonymKeyUnavailableError) || redactUsers === "hash") throw error;
    return { redactUsers, omitDocumentNames };
  }
}
