import assert from "node:assert/strict";
import { test } from "node:test";
import { CronExpressionParser } from "cron-parser";
import fc from "fast-check";
import { nextOccurrence } from "../../src/audit/nextRun";

test("the viewer's 'next audit run' agrees with cron-parser on the schedules people write", () => {
  const field = (min: number, max: number): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constant("*"),
      fc.integer({ min, max }).map(String),
      fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((n) => `*/${n}`),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
        .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 3 }).map((list) => list.join(",")),
    );
  const schedule = fc
    .tuple(field(0, 59), field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6), fc.boolean())
    // NCRONTAB needs both day and weekday to match; cron-parser either: compare where one of them is "*".
    .map(([s, m, h, dom, mon, dow, useDay]) => [s, m, h, useDay ? dom : "*", mon, useDay ? "*" : dow].join(" "));
  const instant = fc.date({
    min: new Date("2025-01-01T00:00:00Z"),
    max: new Date("2027-12-31T00:00:00Z"),
    noInvalidDate: true,
  });
  fc.assert(
    fc.property(schedule, instant, (expression, after) => {
      const expected = CronExpressionParser.parse(expression, { currentDate: after, tz: "UTC" }).next().toDate();
      const actual = nextOccurrence(expression, after);
      if (expected.getTime() - after.getTime() > 365 * 86_400_000)
        return actual === undefined || actual.getTime() === expected.getTime();
      return actual?.toISOString() === expected.toISOString();
    }),
    { numRuns: 300 },
  );
});

test("the default schedule, names, and what does not parse", () => {
  assert.equal(
    nextOccurrence("0 */10 * * * *", new Date("2026-11-24T06:03:11Z"))?.toISOString(),
    "2026-11-24T06:10:00.000Z",
  );
  assert.equal(
    nextOccurrence("0 */10 * * * *", new Date("2026-11-24T06:10:00Z"))?.toISOString(),
    "2026-11-24T06:20:00.000Z",
    "strictly after",
  );
  assert.equal(
    nextOccurrence("0 30 9 * * Mon-Fri", new Date("2026-11-28T12:00:00Z"))?.toISOString(),
    "2026-11-30T09:30:00.000Z",
    "Saturday to Monday",
  );
  assert.equal(
    nextOccurrence("0 0 0 1 Jan *", new Date("2026-11-24T00:00:00Z"))?.toISOString(),
    "2027-01-01T00:00:00.000Z",
  );
  assert.equal(nextOccurrence("*/10 * * * *", new Date()), undefined, "five fields are not NCRONTAB");
  assert.equal(nextOccurrence("0 0 0 31 2 *", new Date()), undefined, "never within a year");
});
