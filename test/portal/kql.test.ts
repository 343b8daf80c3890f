/**
 * Every KQL query the app ships (workbook, query pack, alert rules) or documents (README.md, docs/) parses and
 * binds with Microsoft's Kusto language service against the Application Insights tables, offline: a misspelled
 * column, table or function, or a broken pipe, fails here before an admin meets it in the portal.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kqlErrors } from "../rig/kusto";
import {
  alertQueries,
  allShippedQueries,
  documentedQueries,
  eventReads,
  queryPackQueries,
  workbookQueries,
} from "../rig/portalQueries";

describe("the shipped KQL parses and binds against the Application Insights schema", () => {
  for (const query of allShippedQueries()) {
    test(query.name, () => {
      assert.deepEqual(kqlErrors(query.text), [], query.text);
    });
  }
});

describe("the checker itself", () => {
  test("refuses a misspelled column, an unknown table and a broken pipe", () => {
    assert.match(kqlErrors("traces | where mesage startswith 'x'").join(), /KS142/);
    assert.match(kqlErrors("customEvent | take 1").join(), /KS204/);
    assert.notDeepEqual(kqlErrors("traces | where | take 1"), []);
    assert.deepEqual(kqlErrors("traces | where message startswith 'x' | take 1"), []);
  });

  test("finds the queries where they live: the workbook, the pack, both alerts and the docs", () => {
    assert.ok(workbookQueries().length >= 7, "the workbook's queries and its printer parameter");
    assert.ok(queryPackQueries().length >= 6);
    assert.equal(alertQueries().length, 2);
    assert.ok(documentedQueries().length >= 4, "README's 'Find one call' and docs/portal.md");
  });

  test("every shipped query that reads the app's telemetry reads it by event name", () => {
    const shipped = [...workbookQueries(), ...queryPackQueries(), ...alertQueries()];
    for (const query of shipped.filter((q) => /traces/.test(q.text))) {
      assert.notDeepEqual(eventReads(query.text).events, [], `${query.name} reads traces without an event name`);
    }
  });
});
