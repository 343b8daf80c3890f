// A cold worker registers every function without loading the domain, the SDKs or the clients; a route's first
// call loads what that route runs. Counts of modules, not times: counts are the same on every machine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startColdWorkers, type ColdWorkers } from "../rig/coldWorkers";

let workers: ColdWorkers;

before(async () => (workers = await startColdWorkers()));
after(() => workers.stop());

describe("a cold worker", () => {
  test("loads at most 150 modules (node_modules and the app's own) before its first call", async () => {
    const figures = await workers.run({ call: false });
    assert.ok(figures.modulesAtStart <= 150, `${figures.modulesAtStart} modules loaded before the first call`);
  });

  test("answers its first get-job call, loading Graph and the identity SDK but not the audit's Tables or Queues", async () => {
    const figures = await workers.run();
    assert.equal(figures.callStatus, 200);
    assert.ok(figures.modulesAfterCall! > figures.modulesAtStart, "the call loaded the get-job room");
    const packages = figures.packagesAfterCall!;
    for (const loaded of ["@azure/core-rest-pipeline", "@azure/identity"]) assert.ok(packages.includes(loaded), loaded);
    for (const notLoaded of ["@azure/data-tables", "@azure/storage-queue"])
      assert.ok(!packages.includes(notLoaded), `${notLoaded} is loaded by a get-job call`);
  });
});
