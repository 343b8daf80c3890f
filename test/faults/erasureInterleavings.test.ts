/**
 * The long run of the erasure properties (test/audit/erasureProperties.test.ts): more and longer random
 * interleavings, and every write point of a printer run with an erasure landing on it. ERASURE_SEED and
 * ERASURE_RUNS choose the search; the counts tried are printed as FIGURES.
 */
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { Figures } from "../rig/figures";
import { startRig, type Rig } from "../rig/rig";
import { holdsFor, type Op } from "../rig/erasureWorld";
import { erasureOps } from "../rig/erasureOps";

let rig: Rig;
const figures = new Figures("erasure-interleavings");
before(async () => (rig = await startRig({ storage: true, simulator: { pageSize: 50 } })));
after(async () => {
  figures.print();
  await rig.stop();
});

describe("erasure follows the person, searched longer", () => {
  test("an erasure landing at every table write of a run in flight leaves nothing of the person", async () => {
    let points = 0;
    for (let atWrite = 1; atWrite <= 40; atWrite++) {
      const ops: Op[] = [
        { kind: "job", person: 0, variant: "upn" },
        { kind: "job", person: 1, variant: "upn" },
        { kind: "job", person: 0, variant: "upperUpn" },
        { kind: "eraseDuringAudit", person: 0, by: atWrite % 2 === 0 ? "id" : "mixedCaseUpn", atWrite },
        { kind: "job", person: 0, variant: "idOnly" },
        { kind: "audit" },
      ];
      await holdsFor(rig, ops, "w");
      points++;
    }
    figures.set("writePointsTried", points);
  });

  // Skipped, not passed: on 2026-12-06 (seed 20261206, run 21) it found an erased person left in a table after a
  // sequence of id-only, UPN-only and renamed jobs of one person. Issue 19 stays open until that is fixed.
  test(
    "random interleavings, longer sequences",
    { skip: "a counterexample from seed 20261206 is open (issue 19)" },
    async () => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(erasureOps(14), async (ops) => {
          tried++;
          await holdsFor(rig, ops, "l");
        }),
        {
          seed: Number(process.env.ERASURE_SEED ?? 20261206),
          numRuns: Number(process.env.ERASURE_RUNS ?? 60),
          endOnFailure: true,
        },
      );
      figures.set("interleavingsTried", tried);
    },
  );
});
