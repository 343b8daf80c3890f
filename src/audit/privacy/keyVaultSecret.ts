/**
 * The one Key Vault secret the audit uses (its pseudonym key), spoken over Key Vault's REST API with the app's
 * identity: read the current version, list the versions' metadata, create it. Failures say what to do, in
 * particular the exact command that recovers a soft-deleted secret; they never quote a value.
 */
import { type TokenCredential } from "@azure/core-auth";
import {
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
} from "@azure/core-rest-pipeline";
import { addBearerTokenPolicies } from "../../graph/policies/loopbackHttpPolicy";
import { PseudonymKeyUnavailableError } from "../../errors";

const apiVersion = "7.4";

/** One version of the secret: its value, its 32-hex version and when it was made (seconds, Key Vault's clock). */
export interface SecretVersion {
  value: string;
  version: string;
  created: number;
}

interface SecretBundle {
  value?: unknown;
  id?: unknown;
  attributes?: { created?: unknown; enabled?: unknown };
}

/** The token scope of a Key Vault secret URI's cloud: https://vault.azure.net/.default for *.vault.azure.net. */
export function keyVaultScope(secretUri: string): string {
  const host = new URL(secretUri).hostname;
  const dot = host.indexOf(".");
  return dot > 0 && !/^\d+\.\d+\.\d+\.\d+$/.test(host)
    ? `https://${host.slice(dot + 1)}/.default`
    : "https://vault.azure.net/.default";
}

/** The vault and secret names of a secret URI, for the commands a message names. */
export function secretNames(secretUri: string): { vault: string; secret: string } {
  const url = new URL(secretUri);
  return { vault: url.hostname.split(".")[0]!, secret: url.pathname.split("/")[2] ?? "audit-hash-key" };
}

export function recoverCommand(secretUri: string): string {
  const { vault, secret } = secretNames(secretUri);
  return `az keyvault secret recover --vault-name ${vault} --name ${secret}`;
}

const prefix = "Setting AUDIT_HASH_KEY:";

export class KeyVaultSecret {
  /** https://<vault>/secrets/<name> (no trailing slash, no version). */
  readonly baseUri: string;

  constructor(
    readonly secretUri: string,
    private readonly credential: () => TokenCredential,
    private readonly httpClient: HttpClient,
  ) {
    this.baseUri = secretUri.replace(/\/+$/, "").replace(/\/[0-9a-f]{32}$/i, "");
  }

  /** Whether the setting names one version of the secret (then the key never rotates). */
  get pinned(): boolean {
    return this.baseUri !== this.secretUri.replace(/\/+$/, "");
  }

  /** The version the setting names (the current one when it names none), or undefined when the secret does not exist. */
  async current(): Promise<SecretVersion | undefined> {
    const { status, body } = await this.send("GET", this.secretUri.replace(/\/+$/, ""));
    if (status === 404) return undefined;
    return this.bundle(status, body, "GET");
  }

  /** One older version by its id, or undefined when it cannot be read (disabled). */
  async version(version: string): Promise<SecretVersion | undefined> {
    const { status, body } = await this.send("GET", `${this.baseUri}/${version}`);
    return status >= 200 && status < 300 ? this.bundle(status, body, "GET") : undefined;
  }

  /** Every version's id and creation time (metadata only). */
  async versions(): Promise<{ version: string; created: number; enabled: boolean }[]> {
    const out: { version: string; created: number; enabled: boolean }[] = [];
    let next: string | undefined = `${this.baseUri}/versions`;
    for (let page = 0; next && page < 20; page++) {
      const { status, body } = await this.send("GET", next);
      this.refuse(status, "GET");
      const parsed = JSON.parse(body ?? "{}") as { value?: SecretBundle[]; nextLink?: unknown };
      for (const item of parsed.value ?? []) {
        const version = typeof item.id === "string" ? item.id.split("/").pop() : undefined;
        const created = Number(item.attributes?.created);
        if (version && Number.isFinite(created))
          out.push({ version, created, enabled: item.attributes?.enabled !== false });
      }
      next = typeof parsed.nextLink === "string" && parsed.nextLink ? parsed.nextLink : undefined;
    }
    return out;
  }

  /** Creates the secret with this value; a soft-deleted secret of that name is never replaced, only recovered. */
  async create(value: string): Promise<SecretVersion> {
    const { status, body } = await this.send("PUT", this.baseUri, value);
    if (status === 409) {
      throw new PseudonymKeyUnavailableError(
        `${prefix} the Key Vault secret is deleted but recoverable (soft delete), so the app cannot create it again and will not make a new key in its place. Recover it and the audit goes on with the same key: ${recoverCommand(this.secretUri)}`,
      );
    }
    return this.bundle(status, body, "PUT");
  }

  private bundle(status: number, body: string | undefined, method: string): SecretVersion {
    this.refuse(status, method);
    try {
      const parsed = JSON.parse(body ?? "") as SecretBundle;
      const version = typeof parsed.id === "string" ? (parsed.id.split("/").pop() ?? "") : "";
      if (typeof parsed.value === "string")
        return { value: parsed.value, version, created: Number(parsed.attributes?.created) || 0 };
    } catch {
      // Falls through to the error below.
    }
    throw new PseudonymKeyUnavailableError(`${prefix} Key Vault's answer held no secret value.`);
  }

  private refuse(status: number, method: string): void {
    if (status === 401 || status === 403) {
      const { vault } = secretNames(this.secretUri);
      throw new PseudonymKeyUnavailableError(
        `${prefix} Key Vault refused the app's identity (${status}); grant it the role "Audit pseudonym key user (${vault})" on the vault (the Bicep creates and assigns it: read and create the secret, never delete or purge it). A disabled current version is refused too: enable it or set a new one.`,
      );
    }
    if (status < 200 || status >= 300)
      throw new PseudonymKeyUnavailableError(`${prefix} Key Vault answered ${status} to ${method} of the secret.`);
  }

  /** One Key Vault call: its status and body. Failures to reach the vault name no value. */
  private async send(
    method: "GET" | "PUT",
    uri: string,
    value?: string,
  ): Promise<{ status: number; body: string | undefined }> {
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 3, retryDelayInMs: 500 } });
    addBearerTokenPolicies(pipeline, { credential: this.credential(), scopes: keyVaultScope(uri) });
    const url = new URL(uri);
    if (!url.searchParams.has("api-version")) url.searchParams.set("api-version", apiVersion);
    const request = createPipelineRequest({
      url: url.toString(),
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
    try {
      const response = await pipeline.sendRequest(this.httpClient, request);
      return { status: response.status, body: response.bodyAsText ?? undefined };
    } catch (error) {
      throw new PseudonymKeyUnavailableError(
        `${prefix} Key Vault could not be reached (${(error as Error).name}); the audit tries again on its next run.`,
      );
    }
  }
}
