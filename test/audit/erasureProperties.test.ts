/**
 * Erasure follows the person, whatever the order of events (property-based, in Azurite): random sequences of
 * jobs (UPN in any letter case, renamed, id only, UPN only), audit runs, erasures by UPN, object id or the
 * pseudonym the API shows (alone, twice at once, or landing at any table write of a run in flight), key
 * removal and restore and redaction switches. After the timer's next pass, no erased person's identifier,
 * name, document or findable pseudonym is left in any table, every job's facts are kept, no erasure threw
 * or split in two, and none is left running. A fixed seed and a bounded number of runs keep it under a minute;
 * test/faults/erasureInterleavings.test.ts runs more.
 */
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { startRig, type Rig } from "../rig/rig";
import { holdsFor } from "../rig/erasureWorld";
import { erasureOps } from "../rig/erasureOps";

let rig: Rig;
before(async () => (rig = await startRig({ storage: true, simulator: { pageSize: 50 } })));
after(() => rig.stop());

describe("erasure follows the person", () => {
  test("random interleavings of jobs, runs, erasures, key removal and redaction switches leave no erased person", async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(erasureOps(8), async (ops) => {
        tried++;
        await holdsFor(rig, ops, "p");
      }),
      { seed: 190619, numRuns: Number(process.env.ERASURE_RUNS ?? 10), endOnFailure: true },
    );
    console.log(`erasure properties: ${tried} interleavings tried`);
  });
});
