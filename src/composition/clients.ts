/**
 * The process's shared clients, built on first use from one reading of the settings: one credential for
 * everything, and two Graph clients over it. The interactive one serves HTTP callers and gives up on long
 * Retry-After pauses (the caller gets 429 with Retry-After); the background one serves the audit and waits
 * as long as Graph asks. Only the rooms (this folder) hold them; rooms.ts drops them when settings change.
 */
import { type TokenCredential } from "@azure/core-auth";
import { QueueClient } from "@azure/storage-queue";
import { type PrivacyPolicy } from "../audit/privacy";
import { PseudonymKeyProvider } from "../audit/privacyKey";
import { privacyForLookup, privacyPolicy } from "../audit/privacyPolicy";
import { AuditStore, tableClientFactory } from "../audit/store";
import { type AppConfig } from "../config";
import { GraphClient } from "../graph/client";
import { TokenRoleWatcher, type TokenRoles } from "../graph/tokenRoles";
import { createCredential } from "../identity";

/** Which of the two Graph clients: for HTTP callers (no long pauses) or for the audit (waits as Graph asks). */
export type GraphPurpose = "interactive" | "background";

export class AppClients {
  private credentialInstance?: TokenCredential;
  private graphCredential?: TokenRoleWatcher;
  private readonly graphClients = new Map<GraphPurpose, GraphClient>();
  private auditStoreInstance?: AuditStore;
  private readonly queueClients = new Map<string, QueueClient>();
  private keyProvider?: PseudonymKeyProvider;

  constructor(readonly config: AppConfig) {}

  credential(): TokenCredential {
    this.credentialInstance ??= createCredential(this.config);
    return this.credentialInstance;
  }

  graph(purpose: GraphPurpose): GraphClient {
    let client = this.graphClients.get(purpose);
    if (!client) {
      const { graph } = this.config;
      client = new GraphClient({
        baseUrl: graph.baseUrl,
        scope: graph.scope,
        credential: (this.graphCredential ??= new TokenRoleWatcher(this.credential())),
        retryOptions: {
          maxRetries: graph.maxRetries,
          retryDelayInMs: graph.retryDelayInMs,
          maxRetryDelayInMs: graph.maxRetryDelayInMs,
        },
        tryTimeoutInMs: graph.tryTimeoutInMs,
        maxRetryAfterInMs: purpose === "interactive" ? graph.maxRetryAfterInMs : undefined,
      });
      this.graphClients.set(purpose, client);
    }
    return client;
  }

  /** The application roles of the app's current Graph token (undefined before the first one, or if unreadable). */
  graphTokenRoles(): TokenRoles | undefined {
    return this.graphCredential?.current();
  }

  /** The audit tables, over the storage the settings name (AzureWebJobsStorage: connection string or identity). */
  auditStore(): AuditStore {
    if (!this.auditStoreInstance) {
      const { audit, storage } = this.config;
      this.auditStoreInstance = new AuditStore(
        audit.tablePrefix,
        tableClientFactory(storage, () => this.credential()),
      );
    }
    return this.auditStoreInstance;
  }

  /** A client for a queue of the app's storage account (the audit's fan-out queue by default). */
  queue(queueName: string = this.config.audit.queueName): QueueClient {
    let client = this.queueClients.get(queueName);
    if (!client) {
      const { storage } = this.config;
      client =
        storage.kind === "connectionString"
          ? new QueueClient(storage.connectionString, queueName)
          : new QueueClient(`${storage.queueServiceUri}/${queueName}`, this.credential());
      this.queueClients.set(queueName, client);
    }
    return client;
  }

  /** The pseudonym key (AUDIT_HASH_KEY), read from the setting or its Key Vault secret. */
  pseudonymKeys(): PseudonymKeyProvider {
    this.keyProvider ??= new PseudonymKeyProvider(this.config.audit.hashKey, () => this.credential());
    return this.keyProvider;
  }

  /** The privacy settings with the key resolved; `create` lets the audit timer create a missing Key Vault secret. */
  privacy(options: { create?: boolean } = {}): Promise<PrivacyPolicy> {
    return privacyPolicy(this.config.audit, this.pseudonymKeys(), options);
  }

  /** For finding a user's rows: the policy with the key when it can be read (required only under hash). */
  privacyForLookup(): Promise<PrivacyPolicy> {
    return privacyForLookup(this.config.audit, this.pseudonymKeys());
  }
}
