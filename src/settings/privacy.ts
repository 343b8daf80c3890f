import { ConfigError } from "../errors";
import { parseServiceUrl, text, type Env } from "./env";

export type RedactUsers = "none" | "hash" | "omit";

/**
 * Where the pseudonym key comes from: the key itself (the sandbox), or a Key Vault secret the app reads (and
 * creates on first use) itself: the secret's URL, as the Bicep sets it, or a Key Vault reference App Service
 * has not resolved (it leaves the reference text in place while the secret does not exist yet).
 */
export type HashKeySource = { kind: "value"; key: Buffer } | { kind: "keyVault"; secretUri: string };

const keyVaultReference = /^@Microsoft\.KeyVault\(SecretUri=([^)\s]+)\)$/i;

/** AUDIT_HASH_KEY: at least 32 random bytes (base64 or hex), a Key Vault secret's URL, or a reference by SecretUri. Its value is never quoted. */
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
        "is required with AUDIT_REDACT_USERS=hash: set it to a Key Vault secret's URL (https://<vault>.vault.azure.net/secrets/audit-hash-key, as the Bicep does) or, locally, to 32 random bytes in base64 (openssl rand -base64 32).",
      );
    }
    return undefined;
  }
  const reference = keyVaultReference.exec(raw);
  if (reference) return keyVaultSecret(reference[1]!);
  if (/^https?:\/\//i.test(raw)) return keyVaultSecret(raw);
  if (/^@Microsoft\.KeyVault\(/i.test(raw)) {
    throw new ConfigError("AUDIT_HASH_KEY", "only the SecretUri=... form of a Key Vault reference is read.");
  }
  return { kind: "value", key: keyBytes(raw) };
}

function keyVaultSecret(rawUri: string): HashKeySource {
  const secretUri = parseServiceUrl("AUDIT_HASH_KEY", rawUri);
  if (!/^https?:\/\/[^/]+\/secrets\/[0-9A-Za-z-]{1,127}(\/[0-9a-f]{32})?$/i.test(secretUri)) {
    throw new ConfigError(
      "AUDIT_HASH_KEY",
      "a Key Vault secret must be named by its URL: https://<vault>.vault.azure.net/secrets/<name> (no version, so a rotation is picked up).",
    );
  }
  return { kind: "keyVault", secretUri: `${secretUri}/` };
}

function keyBytes(raw: string): Buffer {
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
  return key;
}
