/**
 * The pseudonym key's life in Key Vault, on the loopback vault (sandbox/keyVault.ts): every instance reads the
 * versionless secret itself and holds the same key within keyCacheInMs of a rotation; a key knows which key ids
 * it replaces, so an instance that has not seen a rotation yet never re-keys rows back; a soft-deleted secret
 * is never replaced by a new key, and the message names the command that recovers it.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { type AccessToken, type TokenCredential } from "@azure/core-auth";
import { keyCacheInMs, PseudonymKeyProvider } from "../../src/audit/privacy";
import { pseudonymKey } from "../../src/audit/privacy";
import { loadConfig } from "../../src/config";
import { PseudonymKeyUnavailableError } from "../../src/errors";
import { KeyVaultStandIn } from "../../sandbox/keyVault";

const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "kv-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

const base = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
let vault: KeyVaultStandIn;
let clock = 0;
const instance = (): PseudonymKeyProvider =>
  new PseudonymKeyProvider(loadConfig({ ...base, AUDIT_HASH_KEY: vault.secretUrl() }).audit.hashKey, () => credential, {
    now: () => clock,
  });
const keyIdOf = (base64: string): string => pseudonymKey(Buffer.from(base64, "base64")).id;

before(async () => (vault = await new KeyVaultStandIn().start()));
after(() => vault.stop());
beforeEach(() => {
  vault.secrets.clear();
  clock = 1_000_000;
});

describe("one key at a time across instances", () => {
  test("AUDIT_HASH_KEY as the secret's URL is read by the app itself, not by the platform", () => {
    assert.deepEqual(
      loadConfig({ ...base, AUDIT_HASH_KEY: "https://kv-abc.vault.azure.net/secrets/audit-hash-key" }).audit.hashKey,
      {
        kind: "keyVault",
        secretUri: "https://kv-abc.vault.azure.net/secrets/audit-hash-key/",
      },
    );
  });

  test(`a rotation reaches every instance within ${keyCacheInMs / 1000} s, and no instance goes back to the old key`, async () => {
    const first = vault.rotate();
    const a = instance();
    const b = instance();
    assert.equal((await a.get())!.id, keyIdOf(first));
    assert.equal((await b.get())!.id, keyIdOf(first));

    const second = vault.rotate();
    clock += 5_000;
    assert.equal((await a.get())!.id, keyIdOf(first), "the cache holds for a short while");
    clock += keyCacheInMs;
    const [keyA, keyB] = [await a.get(), await b.get()];
    assert.equal(keyA!.id, keyIdOf(second));
    assert.equal(keyB!.id, keyIdOf(second));
    assert.deepEqual([...keyA!.olderKeyIds!], [keyIdOf(first)], "the new key replaces the old one");
  });

  test("an instance still on the old key does not count the new key as older, so it never re-keys rows back", async () => {
    const first = vault.rotate();
    const stale = instance();
    const oldKey = await stale.get();
    const second = vault.rotate();
    const fresh = await instance().get();
    assert.equal(fresh!.id, keyIdOf(second));
    assert.ok(fresh!.olderKeyIds!.has(keyIdOf(first)));
    assert.equal(oldKey!.id, keyIdOf(first));
    assert.ok(!oldKey!.olderKeyIds!.has(keyIdOf(second)), "a key never replaces a newer one");
  });

  test("the app's calls are reads and one create, each with the identity's token; it never deletes or purges", async () => {
    vault.calls.length = 0;
    const provider = instance();
    await provider.get({ create: true });
    clock += keyCacheInMs;
    vault.rotate();
    await provider.get();
    assert.ok(vault.calls.every((c) => c.bearer));
    assert.deepEqual(new Set(vault.calls.map((c) => c.method)), new Set(["GET", "PUT"]));
    assert.equal(vault.calls.filter((c) => c.method === "PUT").length, 1);
  });
});

describe("a deleted secret", () => {
  test("soft-deleted: the timer does not make a new key; the message names the exact command, and recovery brings the same key back", async () => {
    const value = vault.rotate();
    vault.softDelete();
    const provider = instance();
    await assert.rejects(
      provider.get({ create: true }),
      (e: Error) =>
        e instanceof PseudonymKeyUnavailableError &&
        e.message.includes("az keyvault secret recover --vault-name 127 --name audit-hash-key") &&
        !e.message.includes(value),
    );
    await assert.rejects(provider.get(), (e: Error) => /az keyvault secret recover/.test(e.message));
    assert.equal(vault.secrets.get("audit-hash-key")!.versions.length, 1, "no new version was set");
    vault.recover();
    assert.equal((await provider.get({ create: true }))!.id, keyIdOf(value));
  });

  test("a role without delete or purge is refused both, as the Bicep's role is", async () => {
    vault.rotate();
    for (const [method, path] of [
      ["DELETE", "/secrets/audit-hash-key"],
      ["DELETE", "/deletedsecrets/audit-hash-key"],
    ] as const) {
      const response = await fetch(`${vault.url}${path}?api-version=7.4`, {
        method,
        headers: { authorization: "Bearer kv-token" },
      });
      assert.equal(response.status, 403, `${method} ${path}`);
    }
    assert.ok(vault.current(), "the key is still there");
  });
});
