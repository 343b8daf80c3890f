/**
 * The audit's clients over the app's credential: the audit tables, the fan-out queues and the pseudonym key,
 * built on first use; loaded only by the audit's rooms, so that a get-job call never loads Tables or Queues.
 */
import { QueueClient } from "@azure/storage-queue";
import { privacyForLookup, privacyPolicy, PseudonymKeyProvider, type PrivacyPolicy } from "../audit/privacy";
import { BlobAnchor, evidenceContainer, type EvidenceAnchor } from "../audit/integrity";
import { AuditStore, tableClientFactory } from "../audit/store";
import { type AppConfig } from "../config";
import { type AppClients } from "./clients";

export class AuditClients {
  private auditStoreInstance?: AuditStore;
  private readonly queueClients = new Map<string, QueueClient>();
  private keyProvider?: PseudonymKeyProvider;
  private evidenceAnchorInstance?: EvidenceAnchor;

  constructor(readonly app: AppClients) {}

  get config(): AppConfig {
    return this.app.config;
  }

  /** The audit tables, over the storage the settings name (AzureWebJobsStorage: connection string or identity). */
  auditStore(): AuditStore {
    if (!this.auditStoreInstance) {
      const { audit, storage } = this.app.config;
      this.auditStoreInstance = new AuditStore(
        audit.tablePrefix,
        tableClientFactory(storage, () => this.app.credential()),
      );
    }
    return this.auditStoreInstance;
  }

  /** The evidence anchor: append blobs in AUDIT_EVIDENCE_CONTAINER of the same storage account, with the same credential. */
  evidenceAnchor(): EvidenceAnchor {
    if (!this.evidenceAnchorInstance) {
      const { audit, storage } = this.app.config;
      this.evidenceAnchorInstance = new BlobAnchor(
        evidenceContainer(storage, audit.evidenceContainer, () => this.app.credential()),
      );
    }
    return this.evidenceAnchorInstance;
  }

  /** A client for a queue of the app's storage account (the audit's fan-out queue by default). */
  queue(queueName: string = this.app.config.audit.queueName): QueueClient {
    let client = this.queueClients.get(queueName);
    if (!client) {
      const { storage } = this.app.config;
      client =
        storage.kind === "connectionString"
          ? new QueueClient(storage.connectionString, queueName)
          : new QueueClient(`${storage.queueServiceUri}/${queueName}`, this.app.credential());
      this.queueClients.set(queueName, client);
    }
    return client;
  }

  /** The pseudonym key (AUDIT_HASH_KEY), read from the setting or its Key Vault secret. */
  pseudonymKeys(): PseudonymKeyProvider {
    this.keyProvider ??= new PseudonymKeyProvider(this.app.config.audit.hashKey, () => this.app.credential());
    return this.keyProvider;
  }

  /** The privacy settings with the key resolved; `create` lets the audit timer create a missing Key Vault secret. */
  privacy(options: { create?: boolean } = {}): Promise<PrivacyPolicy> {
    return privacyPolicy(this.app.config.audit, this.pseudonymKeys(), options);
  }

  /** For finding a user's rows: the policy with the key when it can be read (required only under hash). */
  privacyForLookup(): Promise<PrivacyPolicy> {
    return privacyForLookup(this.app.config.audit, this.pseudonymKeys());
  }
}
