/**
 * The pseudonym key (AUDIT_HASH_KEY). In Azure it is a Key Vault secret only the app's identity can use:
 * the app creates it itself (32 random bytes) on the audit timer's first run, so the key never passes
 * through a deployment, its history or outputs, or anyone's machine, and re-deployments leave it alone.
 * The app reads the secret's current version itself, at most keyCacheInMs apart, so every instance holds
 * the same key within a minute of a rotation (a platform Key Vault reference is re-read only about daily).
 */
import { randomBytes } from "node:crypto";
import { type TokenCredential } from "@azure/core-auth";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { type HashKeySource } from "../../settings/privacy";
import { pseudonymKey, type PseudonymKey } from "./policy";
import { KeyVaultSecret, recoverCommand, type SecretVersion } from "./keyVaultSecret";
import { PseudonymKeyUnavailableError } from "../../errors";

export { keyVaultScope } from "./keyVaultSecret";

/** How long an instance keeps the key it read before asking Key Vault again: the delay of a rotation. */
export const keyCacheInMs = 60_000;

/** The key as read: it names the ids of the keys it replaced (Key Vault's older versions), see PseudonymKey. */
export type CurrentKey = PseudonymKey;

export class PseudonymKeyProvider {
  private cached?: { key: CurrentKey; at: number; version?: string };
  private reading?: Promise<CurrentKey>;
  /** Key ids of the secret's versions, by version (a version never changes). */
  private readonly versionKeyIds = new Map<string, string>();
  private readonly vault?: KeyVaultSecret;
  private readonly now: () => number;

  constructor(
    private readonly source: HashKeySource | undefined,
    credential: () => TokenCredential,
    options: { httpClient?: HttpClient; now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    if (source?.kind === "keyVault")
      this.vault = new KeyVaultSecret(source.secretUri, credential, options.httpClient ?? createDefaultHttpClient());
  }

  /** Whether a key is configured at all (AUDIT_HASH_KEY set). */
  get configured(): boolean {
    return this.source !== undefined;
  }

  /**
   * The key, or undefined when AUDIT_HASH_KEY is not set. `create`: make the Key Vault secret when it does not
   * exist yet (only the audit timer does, one run at a time, so two instances never make two keys).
   */
  async get(options: { create?: boolean } = {}): Promise<CurrentKey | undefined> {
    const source = this.source;
    if (!source) return undefined;
    if (source.kind === "value") return (this.cached ??= { key: pseudonymKey(source.key), at: 0 }).key;
    if (this.cached && this.now() - this.cached.at < keyCacheInMs) return this.cached.key;
    this.reading ??= this.read(options.create === true).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(create: boolean): Promise<CurrentKey> {
    const vault = this.vault!;
    let secret = await vault.current();
    if (secret === undefined) {
      if (!create) {
        throw new PseudonymKeyUnavailableError(
          `Setting AUDIT_HASH_KEY: the Key Vault secret does not exist yet; the audit timer creates it on its first run (or run it now). If it was deleted, recover it instead: ${recoverCommand(vault.secretUri)}`,
        );
      }
      secret = await vault.create(randomBytes(32).toString("base64"));
    }
    const bytes = Buffer.from(secret.value, "base64");
    if (bytes.length < 32)
      throw new PseudonymKeyUnavailableError(
        "Setting AUDIT_HASH_KEY: the Key Vault secret is not 32 or more bytes in base64; set a new version of it (openssl rand -base64 32) and the rows are re-keyed.",
      );
    const key: CurrentKey = pseudonymKey(bytes);
    if (secret.version) this.versionKeyIds.set(secret.version, key.id);
    const same = this.cached?.version !== undefined && this.cached.version === secret.version;
    key.olderKeyIds = vault.pinned ? undefined : same ? this.cached!.key.olderKeyIds : await this.olderKeyIds(secret);
    this.cached = { key, at: this.now(), version: secret.version };
    return key;
  }

  /** The key ids of the versions made before this one (read once each); a version that cannot be read is left out. */
  private async olderKeyIds(current: SecretVersion): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    let versions: Awaited<ReturnType<KeyVaultSecret["versions"]>>;
    try {
      versions = await this.vault!.versions();
    } catch {
      // Without the list no other key is known to be older, so nothing is re-keyed: safe, only slower.
      return ids;
    }
    for (const { version, created, enabled } of versions) {
      if (version === current.version || created >= current.created || !enabled) continue;
      let id = this.versionKeyIds.get(version);
      if (id === undefined) {
        const older = await this.vault!.version(version).catch(() => undefined);
        if (!older) continue;
        id = pseudonymKey(Buffer.from(older.value, "base64")).id;
        this.versionKeyIds.set(version, id);
      }
      ids.add(id);
    }
    ids.delete(pseudonymKey(Buffer.from(current.value, "base64")).id);
    return ids;
  }
}
