import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  invertedTime,
  isValidKey,
  jobHistoryRowKey,
  keyPart,
  newRunId,
  runIdPattern,
  taskHistoryRowKey,
  timeOfInverted,
} from "../../src/audit/keys";
import { csvCell } from "../../src/audit/read";
import { MalformedData, snapshotOf } from "../../src/audit/snapshot";
import { entityBytes, fitEntity, maxEntityBytes, transactionChunks, truncate } from "../../src/audit/store";
import { parseAuditMessage } from "../../src/audit/runs";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

const privacy = { redactUsers: "none" as const, omitDocumentNames: false };

describe("keys", () => {
  test("any job or task id becomes a valid, distinct key part", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        (a, b) => {
          const ka = keyPart(a);
          assert.ok(isValidKey(ka) || a === "", `invalid key from ${JSON.stringify(a)}`);
          assert.ok(!ka.includes("|"));
          assert.ok(ka.length <= 200);
          if (a !== b) assert.notEqual(ka, keyPart(b));
          const rk = taskHistoryRowKey(jobHistoryRowKey(invertedTime(Date.now()), a || "x", 1, "0123456789"), b || "y");
          assert.ok(isValidKey(rk));
        },
      ),
    );
  });

  test("plain Graph ids are kept as they are", () => {
    assert.equal(keyPart("5182"), "5182");
    assert.equal(keyPart("d036638b-1272-4bba-9227-732463823ed3"), "d036638b-1272-4bba-9227-732463823ed3");
    assert.equal(keyPart("a/b#c?d\\e|f%"), "a%2Fb%23c%3Fd%5Ce%7Cf%25");
  });

  test("inverted time keys sort newest first and round-trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (a, b) => {
          assert.equal(timeOfInverted(invertedTime(a)), a);
          if (a < b) assert.ok(invertedTime(a) > invertedTime(b));
        },
      ),
    );
  });

  test("run ids sort by time", () => {
    const a = newRunId(new Date("2026-11-24T05:00:00.000Z"));
    const b = newRunId(new Date("2026-11-24T05:00:00.001Z"));
    assert.match(a, runIdPattern);
    assert.ok(a < b);
  });
});

describe("rows fit Table Storage", () => {
  test("long strings are cut with a marker; the whole row stays under 1 MiB", () => {
    const row = fitEntity({
      partitionKey: "p",
      rowKey: "r",
      A: "a".repeat(100_000),
      B: "b".repeat(40_000),
      C: "c".repeat(40_000),
      D: "🙂".repeat(20_000),
    });
    assert.ok(entityBytes(row) <= maxEntityBytes);
    assert.ok((row.A as string).length <= 32_000);
    assert.match(row.A as string, /…\[truncated 68000 of 100000 characters\]$/);
    assert.equal(row.partitionKey, "p");
    const many = fitEntity(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`P${i}`, "x".repeat(32_000)])));
    assert.ok(entityBytes(many) <= maxEntityBytes);
  });

  test("a surrogate pair is never split", () => {
    const cut = truncate("🙂".repeat(20_000), 1000);
    assert.doesNotMatch(cut, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  test("transactions hold at most 100 rows and about 3 MiB", () => {
    const rows = Array.from({ length: 450 }, (_, i) => ({
      partitionKey: "p",
      rowKey: String(i),
      Text: "t".repeat(i % 3 === 0 ? 30_000 : 10),
    }));
    const chunks = transactionChunks(rows);
    assert.equal(chunks.flat().length, 450);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 100);
      assert.ok(chunk.reduce((n, r) => n + entityBytes(r) * 1.5, 0) <= 3.2 * 1024 * 1024);
    }
  });
});

describe("Graph payloads", () => {
  test("any shape of job is read without throwing, and unknown states survive as text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (status, configuration, createdBy) => {
        const malformed = new MalformedData();
        const job = { id: "1", status, configuration, createdBy, documents: configuration, tasks: status } as never;
        const snapshot = snapshotOf(job, { id: printerIdFor(1) }, privacy, malformed);
        assert.ok(snapshot);
        assert.equal(typeof snapshot.row.JobState, "string");
      }),
    );
    const malformed = new MalformedData();
    const snapshot = snapshotOf(
      { id: "7", status: { state: "heldForApproval", isAcquiredByPrinter: "yes" as never }, errorCode: "12" as never },
      { id: "p" },
      privacy,
      malformed,
    );
    assert.equal(snapshot!.row.JobState, "heldForApproval");
    assert.equal(snapshot!.row.ErrorCode, 12);
    assert.equal(malformed.summary(), "errorCode=1, status.isAcquiredByPrinter=1");
  });

  test("a documented job maps onto the UniversalPrintJob_CL-style columns", () => {
    const job = makeJob(printerIdFor(1), 12, { state: "completed" });
    const snapshot = snapshotOf(job, { id: printerIdFor(1), name: "P1" }, privacy, new MalformedData())!;
    assert.deepEqual(
      { ...snapshot.row },
      {
        PrinterId: printerIdFor(1),
        PrinterName: "P1",
        JobId: "12",
        JobState: "completed",
        JobStateDetails: "completedSuccessfully",
        JobStateDescription: "The print job is completed.",
        IsAcquiredByPrinter: true,
        CreatedDateTime: job.createdDateTime,
        AcknowledgedDateTime: job.acknowledgedDateTime,
        CreatedBy: "john.smith@contoso.com",
        CreatedById: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        CreatedByName: "John Smith",
        Copies: 1,
        ColorMode: "blackAndWhite",
        DuplexMode: "flipOnLongEdge",
        MediaSize: "A4",
        PageRanges: "1-3",
        DocumentCount: 1,
        DocumentSizeInBytes: 10_012,
        DocumentNames: "Report 12.pdf",
        TaskCount: 0,
        IsFetchable: false,
        Configuration: JSON.stringify({
          colorMode: "blackAndWhite",
          copies: 1,
          duplexMode: "flipOnLongEdge",
          mediaSize: "A4",
          pageRanges: [{ end: 3, start: 1 }],
        }),
      },
    );
  });

  test("queue messages: JSON text or the worker's parsed object; anything else is refused", () => {
    const message = { runId: newRunId(), printerId: printerIdFor(1).toUpperCase() };
    assert.deepEqual(parseAuditMessage(JSON.stringify(message)), { ...message, printerId: printerIdFor(1) });
    assert.deepEqual(parseAuditMessage(message), { ...message, printerId: printerIdFor(1) });
    assert.throws(() => parseAuditMessage("{"), /not JSON/);
    assert.throws(() => parseAuditMessage({ runId: "x", printerId: printerIdFor(1) }), /run id/);
  });
});

describe("CSV cells", () => {
  test("formula starters are defused, separators quoted, numbers kept", () => {
    assert.equal(csvCell("=1+1"), "'=1+1");
    assert.equal(csvCell("-2"), "'-2");
    assert.equal(csvCell("@x"), "'@x");
    assert.equal(csvCell("+x"), "'+x");
    assert.equal(csvCell(-2), "-2");
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvCell("a\nb"), '"a\nb"');
    assert.equal(csvCell(null), "");
    assert.equal(csvCell(true), "true");
  });
});
