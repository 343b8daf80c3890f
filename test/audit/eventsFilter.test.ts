/**
 * The events feed's query stays within the Table service's 15 comparisons for every combination of its
 * options (printer, up to 8 states, a user in up to 3 spellings, a cursor, the watermark), and still returns
 * exactly the events the options select: read through the strict Table layer, against an oracle in memory.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { eventFilter, readEvents, type EventCursor, type EventFilter } from "../../src/audit/events";
import { pseudonym, pseudonymKey, userFilterValues, type PrivacyPolicy } from "../../src/audit/privacy";
import { AuditStore, tableClientFactory, type Row } from "../../src/audit/store";
import { StrictAzurite } from "../rig/strictTables";
import { countComparisons, maxFilterComparisons } from "../rig/tableRules";

const printers = ["0a000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000002"];
const allStates = ["processing", "completed", "aborted", "canceled", "paused", "pending", "stopped", "unknownFuture"];
const people = ["Alice@Contoso.com", "bob@contoso.com", "11111111-aaaa-4000-8000-000000000001"];
const key = pseudonymKey(Buffer.alloc(32, 7));
const start = Date.UTC(2026, 10, 24, 6, 0, 0);

const timeKey = (ms: number): string => new Date(ms).toISOString().replace(/[-:.]/g, "");

let azurite: StrictAzurite;
let store: AuditStore;
/** Every event row written, in feed order. */
let events: Row[] = [];

function eventRow(i: number): Row {
  const observed = timeKey(start + i * 7 * 60_000);
  const printerId = printers[i % printers.length]!;
  const person = people[i % people.length]!;
  // Some rows carry the person as given, some lower-cased, some as a pseudonym: each spelling a read looks for.
  const spelled = [person, person.toLowerCase(), pseudonym(person, key)][Math.floor(i / 3) % 3]!;
  return {
    partitionKey: `${observed.slice(0, 8)}${observed.slice(9, 11)}`,
    rowKey: `${observed}|${printerId}|${String(i).padStart(4, "0")}`,
    PrinterId: printerId,
    JobId: String(i),
    JobState: allStates[i % allStates.length]!,
    ...(i % 2 === 0 ? { CreatedBy: spelled } : { CreatedById: spelled }),
  };
}

before(async () => {
  azurite = await new StrictAzurite().start();
  store = new AuditStore(
    `evf${process.pid}`,
    tableClientFactory({ kind: "connectionString", connectionString: azurite.connectionString }, () => {
      throw new Error("no identity here");
    }),
  );
  events = Array.from({ length: 120 }, (_, i) => eventRow(i)).sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
  await store.createRows(store.tables.events, events);
});
after(() => azurite.stop());

const optionsArb = fc.record({
  printerId: fc.option(fc.constantFrom(...printers), { nil: undefined }),
  states: fc.option(fc.uniqueArray(fc.constantFrom(...allStates), { minLength: 1, maxLength: 8 }), { nil: undefined }),
  user: fc.option(fc.constantFrom(...people, "ALICE@contoso.com", "nobody@contoso.com"), { nil: undefined }),
  withKey: fc.boolean(),
  from: fc.option(fc.record({ at: fc.integer({ min: 0, max: 119 }), inclusive: fc.boolean() }), { nil: undefined }),
  upper: fc.integer({ min: 1, max: 125 }),
});

type Options = typeof optionsArb extends fc.Arbitrary<infer T> ? T : never;

function setting(o: Options): { filter: EventFilter; privacy: PrivacyPolicy; from?: EventCursor; upperKey: string } {
  const filter: EventFilter = {
    ...(o.printerId ? { printerId: o.printerId } : {}),
    ...(o.states ? { states: o.states } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
  };
  const privacy: PrivacyPolicy = { redactUsers: "none", omitDocumentNames: false, ...(o.withKey ? { key } : {}) };
  const from = o.from ? { key: events[o.from.at]!.rowKey, inclusive: o.from.inclusive } : undefined;
  return { filter, privacy, ...(from ? { from } : {}), upperKey: timeKey(start + o.upper * 7 * 60_000) };
}

/** What the options select, decided here without Table Storage. */
function oracle(o: Options): string[] {
  const { filter, privacy, from, upperKey } = setting(o);
  const values = filter.user !== undefined ? userFilterValues(filter.user, privacy) : undefined;
  return events
    .filter((e) => !from || (from.inclusive ? e.rowKey >= from.key : e.rowKey > from.key))
    .filter((e) => e.rowKey < upperKey)
    .filter((e) => !filter.printerId || e.PrinterId === filter.printerId)
    .filter((e) => !filter.states || filter.states.includes(e.JobState as string))
    .filter((e) => !values || values.includes(e.CreatedBy as string) || values.includes(e.CreatedById as string))
    .map((e) => e.rowKey);
}

describe("the events feed's query", () => {
  it("never sends more than 15 comparisons, whatever the options", () => {
    fc.assert(
      fc.property(optionsArb, (o) => {
        const { filter, privacy, from, upperKey } = setting(o);
        const query = eventFilter(from, upperKey, filter, privacy);
        assert.ok(countComparisons(query.filter) <= maxFilterComparisons, query.filter);
        assert.equal(countComparisons(query.filter), query.comparisons);
      }),
      { numRuns: 2000 },
    );
  });

  it("the most options at once (8 states, a user in 3 spellings, a printer, a cursor) is answered by the strict layer", async () => {
    const o: Options = {
      printerId: printers[0],
      states: allStates,
      user: people[0],
      withKey: true,
      from: { at: 3, inclusive: false },
      upper: 125,
    };
    const { filter, privacy, from } = setting(o);
    const page = await readEvents(store, {
      filter,
      privacy,
      ...(from ? { from } : {}),
      top: 1000,
      watermark: start + 125 * 7 * 60_000,
    });
    assert.deepEqual(
      page.rows.map((r) => String(r.rowKey)),
      oracle(o),
    );
    assert.ok(oracle(o).length > 0, "the case selects some events");
  });

  it("returns exactly the events the options select, page after page, for any combination", async () => {
    await fc.assert(
      fc.asyncProperty(optionsArb, fc.integer({ min: 1, max: 40 }), async (o, top) => {
        const { filter, privacy, from, upperKey } = setting(o);
        const watermark = start + o.upper * 7 * 60_000;
        assert.equal(upperKey, timeKey(watermark));
        const seen: string[] = [];
        let cursor = from;
        for (let i = 0; i < 200; i++) {
          const page = await readEvents(store, {
            filter,
            privacy,
            ...(cursor ? { from: cursor } : {}),
            top,
            watermark,
          });
          assert.ok(page.rows.length <= top);
          seen.push(...page.rows.map((r) => String(r.rowKey)));
          cursor = page.next;
          if (!page.more) break;
        }
        assert.deepEqual(seen, oracle(o));
      }),
      { numRuns: 40 },
    );
  });
});
