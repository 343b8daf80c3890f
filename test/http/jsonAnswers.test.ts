/**
 * What every answer promises a browser and a caller: X-Content-Type-Options: nosniff on every route the app
 * registers (read from the host, so a new route is covered), errors included; and a date that does not exist
 * in the calendar is refused with a JSON 400, not rolled over into the next month.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

let rig: Rig;

before(async () => (rig = await startRig({ storage: true, tenant: addSeedPrinter })));
after(() => rig.stop());

function fill(route: string, bad: boolean): string {
  return route.replace(/\{\*?([A-Za-z0-9_]+)(?::[^}?]+)?\??\}/g, (_, name: string) => {
    if (bad) return "not-an-id%20";
    if (/^shareId$/i.test(name)) return seedShareId;
    if (/jobId$/i.test(name)) return seedJobId;
    return seedPrinterId;
  });
}

describe("X-Content-Type-Options: nosniff", () => {
  test("on every route's answer, success and error alike", async () => {
    const routes = rig.host.httpRoutes();
    assert.ok(routes.length >= 5, "the host registered the app's routes");
    const answered: string[] = [];
    for (const route of routes) {
      const method = route.methods[0] ?? "GET";
      const cases = [fill(route.route, false), `${fill(route.route, false)}?unknownOption=1`];
      if (route.route.includes("{")) cases.push(fill(route.route, true));
      for (const path of cases) {
        const response = await fetch(`${rig.api}/${path}`, {
          method,
          ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
        });
        await response.arrayBuffer();
        assert.equal(
          response.headers.get("x-content-type-options"),
          "nosniff",
          `${method} /${path} answered ${response.status} without nosniff`,
        );
        answered.push(`${response.status}`);
      }
    }
    assert.ok(
      answered.some((s) => s.startsWith("2")) && answered.some((s) => s === "400"),
      `both successes and errors were checked: ${answered.join(" ")}`,
    );
  });
});

describe("calendar dates", () => {
  const invalid: [string, string][] = [
    ["from=2026-02-30", "from"],
    ["to=2026-13-01", "to"],
    ["from=2026-02-29", "from"],
    ["to=2026-04-31", "to"],
    ["from=2026-00-10", "from"],
    ["from=2026-02-30T08:00:00Z", "from"],
    ["to=2026-11-24T24:00:00Z", "to"],
    ["from=2026-11-24T08:60Z", "from"],
    ["to=2026-11-24T08:00:60%2B01:00", "to"],
  ];
  for (const [query, target] of invalid) {
    test(`${query} is a JSON 400 naming ${target}, not a rollover`, async () => {
      const response = await fetch(`${rig.api}/audit/jobs?${query}`);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; target: string; message: string } };
      assert.equal(body.error.code, "badRequest");
      assert.equal(body.error.target, target);
      assert.match(body.error.message, /exists in the calendar/);
    });
  }

  test("real days, leap days and offsets are accepted", async () => {
    for (const query of [
      "from=2024-02-29",
      "to=2026-12-31",
      "from=2000-02-29T00:00:00Z",
      "to=2026-11-24T23:59:59.999%2B14:00",
    ]) {
      const response = await fetch(`${rig.api}/audit/jobs?${query}`);
      assert.equal(response.status, 200, query);
    }
  });

  test("a wait's deadline that is not a calendar time is a JSON 400", async () => {
    const response = await fetch(
      `${rig.api}/printers/${seedPrinterId}/jobs/${seedJobId}/completion?deadline=2026-02-30T10:00:00Z`,
    );
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { target: string } };
    assert.equal(body.error.target, "deadline");
  });
});
