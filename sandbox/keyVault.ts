/**
 * A loopback Key Vault speaking the secrets REST API the app uses (api-version 7.4): get a secret (current or
 * one version), list its versions, set it, and, for the operator's side, delete (soft delete), recover and
 * purge. Soft delete and purge protection behave as in Azure (a deleted name answers 404 to get and 409 to
 * set; purge is refused), and each call is checked against the data actions the caller's role grants.
 */
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { LoopbackServer } from "./loopbackServer";

export const keyUserDataActions = [
  "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  "Microsoft.KeyVault/vaults/secrets/setSecret/action",
];

interface StoredVersion {
  version: string;
  value: string;
  created: number;
  enabled: boolean;
}

interface StoredSecret {
  versions: StoredVersion[];
  deleted: boolean;
}

type Reply = [status: number, body: unknown];

const forbidden = (action: string): Reply => [
  403,
  {
    error: {
      code: "Forbidden",
      message: `Caller is not authorized to perform action on resource. Action: '${action}'`,
      innererror: { code: "ForbiddenByRbac" },
    },
  },
];
const notFound = (name: string): Reply => [
  404,
  { error: { code: "SecretNotFound", message: `A secret with (name/id) ${name} was not found in this key vault.` } },
];

export class KeyVaultStandIn {
  readonly secrets = new Map<string, StoredSecret>();
  /** The data actions the app's identity holds (default: the custom role the Bicep assigns). */
  grantedActions = new Set(keyUserDataActions);
  /** Every call, for tests: method, path and whether it carried a bearer token. */
  readonly calls: { method: string; path: string; bearer: boolean }[] = [];
  private server: LoopbackServer | undefined;
  private port = 0;
  private clock = Math.floor(Date.now() / 1000);

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The URL AUDIT_HASH_KEY names (no version), as the Bicep writes it. */
  secretUrl(name = "audit-hash-key"): string {
    return `${this.url}/secrets/${name}`;
  }

  async start(): Promise<this> {
    this.server = new LoopbackServer((req, res) => this.serve(req, res));
    this.port = await this.server.listen(0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** The operator sets a new version (a rotation); returns the value. */
  rotate(name = "audit-hash-key", value = randomBytes(32).toString("base64")): string {
    const secret = this.secrets.get(name) ?? { versions: [], deleted: false };
    // Versions a second apart at least, as Key Vault's created times tell them apart.
    this.clock = Math.max(this.clock + 1, Math.floor(Date.now() / 1000));
    secret.versions.push({ version: randomBytes(16).toString("hex"), value, created: this.clock, enabled: true });
    this.secrets.set(name, secret);
    return value;
  }

  /** The operator deletes the secret (soft delete: recoverable, its name cannot be set meanwhile). */
  softDelete(name = "audit-hash-key"): void {
    const secret = this.secrets.get(name);
    if (secret) secret.deleted = true;
  }

  /** The operator runs `az keyvault secret recover`: the secret is back with every version. */
  recover(name = "audit-hash-key"): void {
    const secret = this.secrets.get(name);
    if (secret) secret.deleted = false;
  }

  /** The current value, or undefined (missing or deleted). */
  current(name = "audit-hash-key"): string | undefined {
    const secret = this.secrets.get(name);
    return secret && !secret.deleted ? secret.versions.at(-1)?.value : undefined;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.url);
      const bearer = /^Bearer \S+/.test(req.headers.authorization ?? "");
      this.calls.push({ method: req.method ?? "", path: url.pathname, bearer });
      const [status, body] = !bearer
        ? [401, { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer token." } }]
        : url.searchParams.get("api-version") === null
          ? [400, { error: { code: "BadParameter", message: "The api-version query parameter is required." } }]
          : this.answer(req.method ?? "GET", url, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  }

  private answer(method: string, url: URL, body: string): Reply {
    const parts = url.pathname.split("/").filter(Boolean);
    const allowed = (action: string): boolean => this.grantedActions.has(`Microsoft.KeyVault/vaults/${action}`);
    if (parts[0] === "deletedsecrets" && parts.length >= 2) return this.deletedSecret(method, parts, allowed);
    if (parts[0] !== "secrets" || parts.length < 2)
      return [404, { error: { code: "NotFound", message: "Not found." } }];
    const name = parts[1]!;
    const secret = this.secrets.get(name);
    if (method === "PUT" && parts.length === 2) {
      if (!allowed("secrets/setSecret/action")) return forbidden("Microsoft.KeyVault/vaults/secrets/setSecret/action");
      if (secret?.deleted)
        return [
          409,
          {
            error: {
              code: "Conflict",
              message: `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
            },
          },
        ];
      this.rotate(name, (JSON.parse(body) as { value: string }).value);
      return [200, this.bundle(name, this.secrets.get(name)!.versions.at(-1)!, true)];
    }
    if (method === "DELETE" && parts.length === 2) {
      if (!allowed("secrets/delete")) return forbidden("Microsoft.KeyVault/vaults/secrets/delete");
      if (!secret || secret.deleted) return notFound(name);
      secret.deleted = true;
      return [200, { recoveryId: `${this.url}/deletedsecrets/${name}` }];
    }
    if (method !== "GET" || !secret || secret.deleted) return notFound(name);
    if (parts[2] === "versions") {
      if (!allowed("secrets/readMetadata/action"))
        return forbidden("Microsoft.KeyVault/vaults/secrets/readMetadata/action");
      return [200, { value: secret.versions.map((v) => this.bundle(name, v, false)), nextLink: null }];
    }
    if (!allowed("secrets/getSecret/action")) return forbidden("Microsoft.KeyVault/vaults/secrets/getSecret/action");
    const version = parts[2] ? secret.versions.find((v) => v.version === parts[2]) : secret.versions.at(-1);
    if (!version) return notFound(name);
    if (!version.enabled)
      return [403, { error: { code: "Forbidden", message: "Operation get is not allowed on a disabled secret." } }];
    return [200, this.bundle(name, version, true)];
  }

  private deletedSecret(method: string, parts: string[], allowed: (action: string) => boolean): Reply {
    const name = parts[1]!;
    const secret = this.secrets.get(name);
    if (method === "POST" && parts[2] === "recover") {
      if (!allowed("deletedSecrets/recover/action"))
        return forbidden("Microsoft.KeyVault/vaults/deletedSecrets/recover/action");
      if (!secret?.deleted) return notFound(name);
      secret.deleted = false;
      return [200, this.bundle(name, secret.versions.at(-1)!, false)];
    }
    if (method === "DELETE") {
      if (!allowed("deletedSecrets/purge/action"))
        return forbidden("Microsoft.KeyVault/vaults/deletedSecrets/purge/action");
      return [
        403,
        { error: { code: "Forbidden", message: "Operation 'purge' is not allowed: purge protection is on." } },
      ];
    }
    return notFound(name);
  }

  private bundle(name: string, v: StoredVersion, withValue: boolean): Record<string, unknown> {
    return {
      ...(withValue ? { value: v.value } : {}),
      id: `${this.url}/secrets/${name}/${v.version}`,
      attributes: { enabled: v.enabled, created: v.created, updated: v.created, recoveryLevel: "Recoverable" },
    };
  }
}
