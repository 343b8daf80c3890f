/**
 * OData injection through the audit read API's filters, with fast-check: an audit over users such as
 * o'brien is recorded in Azurite, then GET /api/audit/jobs is asked with user and state values built to
 * break out of their string literal (`o'brien' or 'a' eq 'a`, `') or (PartitionKey ne '`, ...). Table
 * Storage itself is the oracle: the answer holds exactly the rows whose user (or state) equals the value
 * given, so an injected clause (more rows) and an over-escaped quote (fewer rows) both fail.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { newRunId } from "../../src/audit/keys";
import { Figures } from "../rig/figures";
import { call } from "../rig/http";
import { nearValid } from "../rig/hostile";
import { startRig, type Rig } from "../rig/rig";
import { makeJob } from "../../sandbox/tenant";

let rig: Rig;
const figures = new Figures("audit-odata-injection");
const printerId = "0da7a000-0000-4000-8000-000000000001";
const users = [
  "o'brien@contoso.com",
  "O'Neil@Contoso.com",
  "plain@contoso.com",
  "a'' or ''b@contoso.com",
  "x' or 'a' eq 'a",
  "semi;colon@contoso.com",
  "ünïcode@contoso.com",
];
const states = ["completed", "aborted", "quantum'Jam", "unknownFutureValue"];
let all: Record<string, any>[] = [];

before(async () => {
  rig = await startRig({ storage: true, env: { AUDIT_TABLE_PREFIX: `inj${process.pid}` } });
  rig.sim.addPrinter({ id: printerId, displayName: "Injection" });
  for (let i = 1; i <= 28; i++) {
    const job = makeJob(printerId, i);
    job.createdBy = {
      id: `00000000-0000-4000-8000-${String(i % 7).padStart(12, "0")}`,
      userPrincipalName: users[i % users.length]!,
      displayName: `User ${i % 7}`,
    };
    job.status = { ...job.status, state: states[i % states.length]! };
    rig.sim.addJob(printerId, job);
  }
  await rig.host.invokeQueue("auditPrinter", { runId: newRunId(), printerId });
  const answer = await call(`${rig.api}/audit/jobs?top=1000`);
  assert.equal(answer.status, 200, answer.text);
  all = answer.body.value;
  assert.equal(all.length, 28);
});
after(async () => {
  figures.print();
  await rig.stop();
});

/** What a user filter must select: the UPN as given or in lower case, or the user id. */
const userMatches = (row: Record<string, any>, user: string): boolean =>
  row.CreatedBy === user || row.CreatedBy === user.toLowerCase() || row.CreatedById === user;

const breakouts = [
  (v: string) => `${v}' or 'a' eq 'a`,
  (v: string) => `${v}') or (PartitionKey ne '`,
  (v: string) => `${v}' or CreatedBy ne '`,
  (v: string) => `' or 1 eq 1 or '${v}`,
  (v: string) => `${v}'' or ''a'' eq ''a`,
  (v: string) => `${v}%27 or %27a%27 eq %27a`,
  (v: string) => `${v}\u2019 or \u2019a\u2019 eq \u2019a`,
  (v: string) => `${v}' and JobState eq 'completed`,
  (v: string) => `${v})`,
];

const hostileValue = (known: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...known),
    fc.tuple(fc.constantFrom(...known), fc.constantFrom(...breakouts)).map(([v, f]) => f(v)),
    // Kept under the host's header limit, so the app (not the host) answers.
    nearValid(fc.constantFrom(...known)).map((v) => v.slice(0, 2000)),
  );

async function history(query: Record<string, string>): Promise<{ status: number; rows?: Record<string, any>[] }> {
  const answer = await call(`${rig.api}/audit/jobs?${new URLSearchParams({ ...query, top: "1000" })}`);
  figures.add("queriesSent");
  return { status: answer.status, rows: answer.status === 200 ? answer.body.value : undefined };
}

describe("audit read filters under OData injection", () => {
  test("user: exactly the rows of that user, whatever the value holds", async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue(users), async (user) => {
        const { status, rows } = await history({ user });
        if (user.length === 0 || user.length > 256) return assert.equal(status, 400);
        assert.equal(status, 200);
        assert.deepEqual(
          rows!.map((r) => r.JobId).sort(),
          all
            .filter((r) => userMatches(r, user))
            .map((r) => r.JobId)
            .sort(),
          JSON.stringify(user),
        );
      }),
      { numRuns: 150 },
    );
  });

  test("state: exactly the rows in that state", async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue(states), async (state) => {
        const { status, rows } = await history({ state });
        if (state.length === 0 || state.length > 64) return assert.equal(status, 400);
        assert.equal(status, 200);
        assert.deepEqual(
          rows!.map((r) => r.JobId).sort(),
          all
            .filter((r) => r.JobState === state)
            .map((r) => r.JobId)
            .sort(),
          JSON.stringify(state),
        );
      }),
      { numRuns: 150 },
    );
  });

  test("user and state together, and printerId: never more than both select", async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileValue(users),
        hostileValue(states),
        nearValid(fc.constant(printerId)).map((v) => v.slice(0, 2000)),
        async (user, state, printer) => {
          const { status, rows } = await history({ user, state, printerId: printer });
          if (status === 400) return;
          assert.equal(status, 200);
          const expected = all.filter(
            (r) => userMatches(r, user) && r.JobState === state && r.PrinterId === printer.toLowerCase(),
          );
          assert.deepEqual(rows!.map((r) => r.JobId).sort(), expected.map((r) => r.JobId).sort());
        },
      ),
      { numRuns: 100 },
    );
  });

  test("the seeded quotes are found as themselves", async () => {
    for (const user of ["o'brien@contoso.com", "x' or 'a' eq 'a"]) {
      const { rows } = await history({ user });
      assert.ok(rows!.length > 0 && rows!.every((r) => r.CreatedBy === user), user);
    }
  });
});
