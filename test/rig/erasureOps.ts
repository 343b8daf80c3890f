/** fast-check arbitraries of erasure-world operations (see erasureWorld.ts). */
import fc from "fast-check";
import { type EraseBy, type JobVariant, type Op } from "./erasureWorld";

const person = fc.integer({ min: 0, max: 1 });
const variant = fc.constantFrom<JobVariant>("upn", "upperUpn", "renamed", "idOnly", "upnOnly");
const by = fc.constantFrom<EraseBy>("upn", "mixedCaseUpn", "id", "pseudonym");
const mode = fc.constantFrom("none" as const, "hash" as const, "omit" as const);

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("job" as const), person, variant }) },
  { weight: 3, arbitrary: fc.constant<Op>({ kind: "audit" }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("erase" as const), person, by }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("eraseTwice" as const), person, by }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("eraseDuringAudit" as const),
      person,
      by,
      atWrite: fc.integer({ min: 1, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("redactDuringAudit" as const),
      mode,
      atWrite: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "removeKey" }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "restoreKey" }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("redact" as const), mode, omitDocumentNames: fc.boolean() }) },
);

/** A sequence that starts with jobs to record and ends with an audit run, so every job is seen. */
export function erasureOps(maxLength: number): fc.Arbitrary<Op[]> {
  return fc
    .tuple(
      fc.array(fc.record({ kind: fc.constant("job" as const), person, variant }), { minLength: 1, maxLength: 3 }),
      fc.array(opArbitrary, { minLength: 1, maxLength: maxLength }),
    )
    .map(([jobs, rest]) => [...jobs, ...rest, { kind: "audit" } as Op]);
}
