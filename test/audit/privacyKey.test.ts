/**
 * The pseudonym key: AUDIT_HASH_KEY's forms and refusals, and the app creating and reading its Key Vault
 * secret (Key Vault's REST shape: GET/PUT /secrets/{name}?api-version=7.4, {"value": ...}) on a loopback vault.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type AccessToken, type TokenCredential } from "@azure/core-auth";
import { loadConfig } from "../../src/config";
import { PseudonymKeyProvider, keyVaultScope } from "../../src/audit/privacy";
import { pseudonymKey } from "../../src/audit/privacy";
import { ConfigError, PseudonymKeyUnavailableError } from "../../src/errors";

const base = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
const goodKey = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString("base64");

describe("AUDIT_HASH_KEY", () => {
  test("hash mode without a key stops start-up naming AUDIT_HASH_KEY; other modes run without one", () => {
    assert.throws(
      () => loadConfig({ ...base, AUDIT_REDACT_USERS: "hash" }),
      (e: Error) =>
        e instanceof ConfigError && e.setting === "AUDIT_HASH_KEY" && /AUDIT_REDACT_USERS=hash/.test(e.message),
    );
    assert.equal(loadConfig({ ...base, AUDIT_REDACT_USERS: "omit" }).audit.hashKey, undefined);
    assert.equal(loadConfig(base).audit.hashKey, undefined);
  });

  test("AUDIT_HASH_SALT is refused with what to do instead", () => {
    assert.throws(
      () => loadConfig({ ...base, AUDIT_HASH_SALT: "pepper" }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.setting === "AUDIT_HASH_SALT" &&
        /AUDIT_HASH_KEY/.test(e.message) &&
        !e.message.includes("pepper"),
    );
  });

  test("a key: 32+ random bytes in base64 or hex; a short or repetitive one is refused without being shown", () => {
    const config = loadConfig({ ...base, AUDIT_REDACT_USERS: "hash", AUDIT_HASH_KEY: goodKey });
    assert.equal(config.audit.hashKey?.kind, "value");
    assert.equal(
      loadConfig({ ...base, AUDIT_HASH_KEY: Buffer.from(goodKey, "base64").toString("hex") }).audit.hashKey?.kind,
      "value",
    );
    for (const bad of ["short-key-value", Buffer.alloc(32, 7).toString("base64"), "a".repeat(64), "not base64 !!!"]) {
      assert.throws(
        () => loadConfig({ ...base, AUDIT_HASH_KEY: bad }),
        (e: Error) => e instanceof ConfigError && e.setting === "AUDIT_HASH_KEY" && !e.message.includes(bad),
      );
    }
  });

  test("a Key Vault reference by SecretUri (no version, so rotation is picked up)", () => {
    const config = loadConfig({
      ...base,
      AUDIT_HASH_KEY: "@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/audit-hash-key/)",
    });
    assert.deepEqual(config.audit.hashKey, {
      kind: "keyVault",
      secretUri: "https://kv-abc.vault.azure.net/secrets/audit-hash-key/",
    });
    assert.equal(
      keyVaultScope("https://kv-abc.vault.azure.net/secrets/audit-hash-key/"),
      "https://vault.azure.net/.default",
    );
    assert.equal(
      keyVaultScope("https://kv-abc.vault.usgovcloudapi.net/secrets/audit-hash-key/"),
      "https://vault.usgovcloudapi.net/.default",
    );
    for (const bad of [
      "@Microsoft.KeyVault(VaultName=kv;SecretName=s)",
      "@Microsoft.KeyVault(SecretUri=http://kv.vault.azure.net/secrets/x/)",
      "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/keys/x/)",
    ]) {
      assert.throws(
        () => loadConfig({ ...base, AUDIT_HASH_KEY: bad }),
        (e: Error) => e instanceof ConfigError && e.setting === "AUDIT_HASH_KEY",
        bad,
      );
    }
  });

  test("the key id names the key without revealing it and differs between keys", () => {
    const a = pseudonymKey(Buffer.from(goodKey, "base64"));
    const b = pseudonymKey(Buffer.alloc(32, 1));
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.notEqual(a.id, b.id);
    assert.ok(!Buffer.from(goodKey, "base64").toString("hex").includes(a.id));
  });
});

describe("the Key Vault secret", () => {
  let server: Server;
  let vault: string;
  const secrets = new Map<string, string>();
  const calls: { method: string; path: string; auth?: string }[] = [];
  let refuse = false;
  const scopes: string[] = [];
  const credential: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return { token: "kv-token", expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      calls.push({ method: req.method ?? "", path: url.pathname, auth: req.headers.authorization });
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (refuse) return send(403, { error: { code: "Forbidden", message: "Caller is not authorized." } });
      const name = /^\/secrets\/([\w-]+)\/?$/.exec(url.pathname)?.[1];
      if (!name || url.searchParams.get("api-version") !== "7.4") return send(400, { error: { code: "BadParameter" } });
      if (req.method === "GET") {
        const value = secrets.get(name);
        return value === undefined
          ? send(404, {
              error: { code: "SecretNotFound", message: "A secret with (name/id) was not found in this key vault." },
            })
          : send(200, { value, id: `${vault}/secrets/${name}/0123456789abcdef0123456789abcdef` });
      }
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        secrets.set(name, (JSON.parse(body) as { value: string }).value);
        send(200, { value: secrets.get(name), id: `${vault}/secrets/${name}/fedcba9876543210fedcba9876543210` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    vault = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("only the audit timer creates a missing secret; everyone else is told it does not exist yet", async () => {
    const provider = new PseudonymKeyProvider(
      { kind: "keyVault", secretUri: `${vault}/secrets/audit-hash-key/` },
      () => credential,
    );
    await assert.rejects(
      provider.get(),
      (e: Error) => e instanceof PseudonymKeyUnavailableError && /does not exist yet/.test(e.message),
    );
    assert.equal(secrets.size, 0);
    const created = await provider.get({ create: true });
    assert.ok(created);
    assert.equal(Buffer.from(secrets.get("audit-hash-key")!, "base64").length, 32, "32 random bytes, base64");
    assert.ok(
      calls.every((c) => c.auth === "Bearer kv-token"),
      "every call carries the identity's token",
    );
    assert.ok(scopes.every((s) => s === "https://vault.azure.net/.default"));
    // Another instance reads the same key; nothing is created twice.
    const other = new PseudonymKeyProvider(
      { kind: "keyVault", secretUri: `${vault}/secrets/audit-hash-key/` },
      () => credential,
    );
    assert.equal((await other.get({ create: true }))!.id, created.id);
    assert.equal(calls.filter((c) => c.method === "PUT").length, 1);
  });

  test("a refusal names the role to grant and never shows the key", async () => {
    refuse = true;
    try {
      const provider = new PseudonymKeyProvider(
        { kind: "keyVault", secretUri: `${vault}/secrets/audit-hash-key/` },
        () => credential,
      );
      await assert.rejects(
        provider.get({ create: true }),
        (e: Error) =>
          e instanceof PseudonymKeyUnavailableError &&
          /Audit pseudonym key user/.test(e.message) &&
          !e.message.includes(secrets.get("audit-hash-key")!),
      );
    } finally {
      refuse = false;
    }
  });
});
