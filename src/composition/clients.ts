/**
 * The process's shared clients, built on first use from one reading of the settings: one credential for
 * everything (auditClients.ts builds the storage clients over it too), and two Graph clients over it. The interactive one serves HTTP callers and gives up on long
 * Retry-After pauses (the caller gets 429 with Retry-After); the background one serves the audit and waits
 * as long as Graph asks. Only the rooms (this folder) hold them; rooms.ts drops them when settings change.
 * Tables and Queues are not loaded here: a get-job call does not need them.
 */
import { type TokenCredential } from "@azure/core-auth";
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
}
