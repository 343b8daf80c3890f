/**
 * Erasure follows the person, whatever the order of events (property-based, in Azurite): random sequences of
 * jobs (UPN in any letter case, renamed, id only, UPN only), audit runs, erasures by UPN, object id or the
 * pseudonym the API shows (alone, twice at once, or landing at any table write of a run in flight), key
 * removal and restore and redaction switches. After the timer's next pass, no erased person's identifier,
 * name, document or findable pseudonym is left in any table, every job's facts are kept, no erasure threw
 * or split in two, and none is left running. A fixed seed and a bounded number of runs keep it under a minute;
 * test/faults/erasureInterleavings.test.ts runs more.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { startRig, type Rig } from "../rig/rig";
import { holdsFor, type Op } from "../rig/erasureWorld";
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

  // Seed 20261206, run 21 of test/faults/erasureInterleavings.test.ts, shrunk by hand: the recheck after the write
  // judged the job by its task row (no identity of its own) instead of what Graph sent, so the job stayed in clear.
  for (const atWrite of [4, 6, 8])
    test(`a job recorded under omit whose person is erased by pseudonym at write ${atWrite} of its run is erased in every table`, async () => {
      const ops: Op[] = [
        { kind: "job", person: 0, variant: "upnOnly" },
        { kind: "redact", mode: "omit", omitDocumentNames: false },
        { kind: "eraseDuringAudit", person: 0, by: "pseudonym", atWrite },
      ];
      const [landedInFlight] = await holdsFor(rig, ops, "c");
      assert.equal(landedInFlight, true, "the erasure met the run before it read the erasure list again");
    });

  // Seed 20261206 again, once erasures really landed mid-run, shrunk by hand: a switch to omit whose pass rewrote the
  // job's history while the run was writing it left the run's index rows keyed by the person's id and UPN.
  for (const atWrite of [6, 8])
    test(`a switch to omit landing at write ${atWrite} of a run leaves no index row keyed by a person erased later`, async () => {
      const ops: Op[] = [
        { kind: "job", person: 1, variant: "upn" },
        { kind: "redactDuringAudit", mode: "omit", atWrite },
        { kind: "erase", person: 1, by: "id" },
      ];
      const [landedInFlight] = await holdsFor(rig, ops, "c");
      assert.equal(landedInFlight, true, "the pass met the run before it read the privacy state again");
    });

  // Seed 42 of the longer search, shrunk by hand: a timer pass without the key found the history "clean" and, with
  // the key back, the next pass skipped the erasure work learned before (the person's earlier id-only job).
  test("an id-only job learned to be an erased person's is erased once the key is back, after a pass without it", async () => {
    const ops: Op[] = [
      { kind: "job", person: 1, variant: "idOnly" },
      { kind: "audit" },
      { kind: "job", person: 1, variant: "upperUpn" },
      { kind: "erase", person: 1, by: "upn" },
      { kind: "audit" },
      { kind: "removeKey" },
      { kind: "redact", mode: "none", omitDocumentNames: false },
      { kind: "restoreKey" },
    ];
    await holdsFor(rig, ops, "c");
  });
});
