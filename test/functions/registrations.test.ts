import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startRig, type Rig } from "../rig/rig";
import { triggerOf } from "../../sandbox/host/functionsCore";
import { LocalFunctionsHost } from "../../sandbox/host/functionsHost";

let rig: Rig;
before(async () => (rig = await startRig()));
after(() => rig.stop());

test("the built app registers the get-job routes exactly as the Functions host will see them", () => {
  const routes = rig.host.httpRoutes();
  const byName = new Map(routes.map((r) => [r.name, r]));
  assert.deepEqual(byName.get("getPrinterJob"), {
    name: "getPrinterJob",
    methods: ["GET"],
    route: "printers/{printerId}/jobs/{jobId}",
    authLevel: "function",
  });
  assert.deepEqual(byName.get("getShareJob"), {
    name: "getShareJob",
    methods: ["GET"],
    route: "shares/{shareId}/jobs/{jobId}",
    authLevel: "function",
  });
});

test("every HTTP function spells out its methods and authLevel; only the API description is anonymous", () => {
  for (const registration of rig.registrations) {
    const trigger = triggerOf(registration);
    if (trigger.type !== "httpTrigger") continue;
    assert.ok(Array.isArray(trigger.methods) && trigger.methods.length > 0, `${registration.name} lists its methods`);
    assert.ok(
      ["function", "anonymous", "admin"].includes(String(trigger.authLevel)),
      `${registration.name} states its authLevel`,
    );
    if (trigger.authLevel === "anonymous")
      assert.match(String(trigger.route), /openapi|ui$/, `${registration.name} holds no data to be anonymous`);
  }
});

test("function names are unique and every file under main loaded", () => {
  const names = rig.registrations.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.length >= 2);
});

test("a function key is enforced when the host is configured with keys, from the header or the code parameter", async () => {
  const host = await new LocalFunctionsHost(rig.registrations, { functionKeys: ["k-123"] }).start();
  try {
    const url = `${host.baseUrl}/printers/c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb/jobs/1`;
    assert.equal((await fetch(url)).status, 401);
    assert.notEqual((await fetch(url, { headers: { "x-functions-key": "k-123" } })).status, 401);
    assert.notEqual((await fetch(`${url}?code=k-123`)).status, 401);
  } finally {
    await host.stop();
  }
});
