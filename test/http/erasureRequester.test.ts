/**
 * Who asked for an erasure, and who may: the local host enforces keys as Azure does (a function key opens
 * function routes, only the master key opens the admin erasure routes), and requestedBy names a principal
 * only when App Service authentication vouches for it (APP_SERVICE_AUTH_ENABLED), never from a forged header.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { call, type JsonAnswer } from "../rig/http";
import { startRig, type Rig } from "../rig/rig";

const functionKey = "fk-erasure-test-31f9";
const masterKey = "mk-erasure-test-8c2a";
const officer = { name: "privacy.officer@contoso.com", oid: "0b6f7a52-3d1e-4c8a-9f10-2a4b6c8d0e1f" };
let rig: Rig;

before(async () => {
  rig = await startRig({
    storage: true,
    host: { functionKeys: [functionKey], masterKey },
    env: { AUDIT_HASH_KEY: randomBytes(32).toString("base64"), AUDIT_TABLE_PREFIX: "req" },
  });
});
after(() => rig.stop());

/** The header App Service authentication sets: base64 JSON of the token's claims. */
function principalHeader(claims: Record<string, string>): string {
  const body = {
    auth_typ: "aad",
    name_typ: "preferred_username",
    role_typ: "roles",
    claims: Object.entries(claims).map(([typ, val]) => ({ typ, val })),
  };
  return Buffer.from(JSON.stringify(body)).toString("base64");
}

function erase(key: string, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return call(`${rig.api}/audit/erasures`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": key, ...headers },
    body: JSON.stringify({ user: "nobody@contoso.com" }),
  });
}

describe("keys on the erasure routes", () => {
  test("the erasure route refuses a function key and no key; the master key opens it", async () => {
    assert.equal((await erase(functionKey)).status, 401);
    assert.equal((await erase("")).status, 401);
    assert.equal((await call(`${rig.api}/audit/erasures?code=${functionKey}`, { method: "POST" })).status, 401);
    const answer = await erase(masterKey);
    assert.equal(answer.status, 200, answer.text);
    const record = `${rig.api}/audit/erasures/${answer.body.erasureId}`;
    assert.equal((await call(record, { headers: { "x-functions-key": functionKey } })).status, 401);
    assert.equal((await call(record, { headers: { "x-functions-key": masterKey } })).status, 200);
  });

  test("function routes take a function key or the master key; anonymous routes take none", async () => {
    for (const key of [functionKey, masterKey])
      assert.equal((await call(`${rig.api}/audit/printers`, { headers: { "x-functions-key": key } })).status, 200);
    assert.equal((await call(`${rig.api}/audit/printers`)).status, 401);
    assert.equal((await call(`${rig.api}/openapi.json`)).status, 200);
  });
});

describe("requestedBy", () => {
  test('without App Service authentication it is "function key", whatever principal headers a caller sends', async () => {
    rig.configure({ APP_SERVICE_AUTH_ENABLED: undefined });
    const forged = await erase(masterKey, {
      "x-ms-client-principal": principalHeader({ preferred_username: "ceo@contoso.com", oid: officer.oid }),
      "x-ms-client-principal-name": "ceo@contoso.com",
      "x-ms-client-principal-id": officer.oid,
    });
    assert.equal(forged.status, 200, forged.text);
    assert.equal(forged.body.requestedBy, "function key");
  });

  test("behind App Service authentication it names the principal the platform signed in", async () => {
    rig.configure({ APP_SERVICE_AUTH_ENABLED: "true" });
    try {
      const signedIn = await erase(masterKey, {
        "x-ms-client-principal": principalHeader({ preferred_username: officer.name, oid: officer.oid }),
      });
      assert.equal(signedIn.status, 200, signedIn.text);
      assert.equal(signedIn.body.requestedBy, `principal ${officer.name} ${officer.oid} with the admin key`);
      const app = await erase(masterKey, {
        "x-ms-client-principal": principalHeader({ azp: "5c1d9e0a-1111-2222-3333-444455556666" }),
      });
      assert.equal(app.body.requestedBy, "principal app 5c1d9e0a-1111-2222-3333-444455556666 with the admin key");
      assert.equal(
        (await erase(masterKey, { "x-ms-client-principal": "not base64 json" })).body.requestedBy,
        "function key",
      );
    } finally {
      rig.configure({ APP_SERVICE_AUTH_ENABLED: undefined });
    }
  });
});
