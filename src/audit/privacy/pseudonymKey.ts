/**
 * The pseudonym key (AUDIT_HASH_KEY). In Azure it is a Key Vault secret only the app's identity can use:
 * the app creates it itself (32 random bytes) on the audit timer's first run, so the key never passes
 * through a deployment, its history or outputs, or anyone's machine, and re-deployments leave it alone.
 * App Service resolves the app setting's Key Vault reference once the secret exists; until then (and to
 * pick up a rotation within minutes) the app reads the secret's latest version itself.
 */
import { randomBytes } from "node:crypto";
import { type TokenCredential } from "@azure/core-auth";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
} from "@azure/core-rest-pipeline";
import { type HashKeySource } from "../../settings/privacy";
import { addBearerTokenPolicies } from "../../graph/policies/loopbackHttpPolicy";
import { pseudonymKey, type PseudonymKey } from "./policy";
import { PseudonymKeyUnavailableError } from "../../errors";

const apiVersion = "7.4";
export const keyCacheInMs = 10 * 60_000;

/** The token scope of a Key Vault secret URI's cloud: https://vault.azure.net/.default for *.vault.azure.net. */
export function keyVaultScope(secretUri: string): string {
  const host = new URL(secretUri).hostname;
  const dot = host.indexOf(".");
  return dot > 0 && !/^\d+\.\d+\.\d+\.\d+$/.test(host)
    ? `https://${host.slice(dot + 1)}/.default`
    : "https://vault.azure.net/.default";
}

export class PseudonymKeyProvider {
  private cached?: { key: PseudonymKey; at: number };
  private readonly httpClient: HttpClient;

  constructor(
    private readonly source: HashKeySource | undefined,
    private readonly credential: () => TokenCredential,
    options: { httpClient?: HttpClient } = {},
  ) {
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
  }

  /** Whether a key is configured at all (AUDIT_HASH_KEY set). */
  get configured(): boolean {
    return this.source !== undefined;
  }

  /**
   * The key, or undefined when AUDIT_HASH_KEY is not set. `create`: make the Key Vault secret when it does not
   * exist yet (only the audit timer does, one run at a time, so two instances never make two keys).
   */
  async get(options: { create?: boolean } = {}): Promise<PseudonymKey | undefined> {
    const source = this.source;
    if (!source) return undefined;
    if (source.kind === "value") return (this.cached ??= { key: pseudonymKey(source.key), at: 0 }).key;
    if (this.cached && Date.now() - this.cached.at < keyCacheInMs) return this.cached.key;
    let value = await this.send("GET", source.secretUri);
    if (value === undefined) {
      if (!options.create) {
        throw new PseudonymKeyUnavailableError(
          "Setting AUDIT_HASH_KEY: the Key Vault secret does not exist yet; the audit timer creates it on its first run (or run it now).",
        );
      }
      value = await this.send(
        "PUT",
        source.secretUri.replace(/\/[0-9a-f]{32}\/?$/i, "/"),
        randomBytes(32).toString("base64"),
      );
    }
    const key = Buffer.from(value ?? "", "base64");
    if (key.length < 32)
      throw new PseudonymKeyUnavailableError(
        "Setting AUDIT_HASH_KEY: the Key Vault secret is not 32 or more bytes in base64; delete it and let the app create it again (rows hashed with it are then re-keyed).",
      );
    this.cached = { key: pseudonymKey(key), at: Date.now() };
    return this.cached.key;
  }

  /** One Key Vault call; the secret's value, or undefined for 404. Failures name the role to grant, never the value. */
  private async send(method: "GET" | "PUT", secretUri: string, value?: string): Promise<string | undefined> {
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 3, retryDelayInMs: 500 } });
    addBearerTokenPolicies(pipeline, { credential: this.credential(), scopes: keyVaultScope(secretUri) });
    const request = createPipelineRequest({
      url: `${secretUri.replace(/\/$/, "")}?api-version=${apiVersion}`,
      method,
      timeout: 15_000,
      headers: createHttpHeaders({
        accept: "application/json",
        ...(value !== undefined ? { "content-type": "application/json" } : {}),
      }),
      ...(value !== undefined
        ? { body: JSON.stringify({ value, contentType: "universal-print-jobs pseudonym key (base64)" }) }
        : {}),
    });
    let status: number;
    let body: string | undefined;
    try {
      const response = await pipeline.sendRequest(this.httpClient, request);
      status = response.status;
      body = response.bodyAsText ?? undefined;
    } catch (error) {
      throw new PseudonymKeyUnavailableError(
        `Setting AUDIT_HASH_KEY: Key Vault could not be reached (${(error as Error).name}); the audit tries again on its next run.`,
      );
    }
    if (status === 404 && method === "GET") return undefined;
    if (status === 401 || status === 403) {
      throw new PseudonymKeyUnavailableError(
        `Setting AUDIT_HASH_KEY: Key Vault refused the app's identity (${status}); grant it "Key Vault Secrets Officer" on the vault (the Bicep does).`,
      );
    }
    if (status < 200 || status >= 300)
      throw new PseudonymKeyUnavailableError(
        `Setting AUDIT_HASH_KEY: Key Vault answered ${status} to ${method} of the secret.`,
      );
    try {
      const parsed = JSON.parse(body ?? "") as { value?: unknown };
      if (typeof parsed.value === "string") return parsed.value;
    } catch {
      // Falls through to the error below.
    }
    throw new PseudonymKeyUnavailableError("Setting AUDIT_HASH_KEY: Key Vault's answer held no secret value.");
  }
}
