// The audit records a job's whole configuration and its isFetchable, sees a change in any of them, and an
// upgrade from rows fingerprinted before these were compared records no new observation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import {
  jobFingerprint,
  jobFingerprintVersion,
  MalformedData,
  observationFingerprint,
  parseJobState,
  snapshotOf,
} from "../../src/audit/snapshot";
import { type PrintJob } from "../../src/graph/types";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { fullJobConfiguration, makeJob, printerIdFor } from "../../sandbox/tenant";

const privacy = { redactUsers: "none" as const, omitDocumentNames: false, hashSalt: "salt" };

const fullConfiguration = fullJobConfiguration;

function job(configuration: Record<string, unknown> = fullConfiguration, extra: Partial<PrintJob> = {}): PrintJob {
  return { ...makeJob(printerIdFor(1), 31, { state: "processing" }), configuration, ...extra } as PrintJob;
}

describe("the configuration columns", () => {
  test("orientation, pages per sheet, dpi, media type and collate are recorded in their columns", () => {
    const { row } = snapshotOf(job(), { id: printerIdFor(1) }, privacy, new MalformedData())!;
    assert.equal(row.Orientation, "landscape");
    assert.equal(row.PagesPerSheet, 4);
    assert.equal(row.Dpi, 600);
    assert.equal(row.MediaType, "stationery");
    assert.equal(row.Collate, true);
    assert.equal(row.PageRanges, "2-4");
  });

  test("the whole configuration is recorded as JSON, with the settings no column of its own holds", () => {
    const { row } = snapshotOf(job(), { id: printerIdFor(1) }, privacy, new MalformedData())!;
    const recorded = JSON.parse(String(row.Configuration));
    assert.deepEqual(recorded, fullConfiguration);
    for (const name of [
      "feedOrientation",
      "finishings",
      "fitPdfToPage",
      "inputBin",
      "outputBin",
      "margin",
      "multipageLayout",
      "quality",
      "scaling",
    ]) {
      assert.ok(name in recorded, name);
    }
    assert.deepEqual(
      Object.keys(recorded),
      Object.keys(recorded).sort(),
      "keys sorted, so the same settings give the same text",
    );
  });

  test("the same settings in another key order are the same configuration", () => {
    const shuffled = Object.fromEntries(Object.entries(fullConfiguration).reverse());
    const a = snapshotOf(job(), { id: printerIdFor(1) }, privacy, new MalformedData())!;
    const b = snapshotOf(job(shuffled), { id: printerIdFor(1) }, privacy, new MalformedData())!;
    assert.equal(a.row.Configuration, b.row.Configuration);
    assert.equal(jobFingerprint(a.status), jobFingerprint(b.status));
  });

  test("an empty or missing configuration leaves the column out; a hostile one stays text", () => {
    assert.equal(
      snapshotOf(job({}), { id: printerIdFor(1) }, privacy, new MalformedData())!.row.Configuration,
      undefined,
    );
    const malformed = new MalformedData();
    const hostile = snapshotOf(
      job({ inputBin: '=HYPERLINK("http://x")', scaling: "<script>alert(1)</script>" }),
      { id: printerIdFor(1) },
      privacy,
      malformed,
    )!;
    assert.deepEqual(JSON.parse(String(hostile.row.Configuration)), {
      inputBin: '=HYPERLINK("http://x")',
      scaling: "<script>alert(1)</script>",
    });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 50; i++) deep = { nested: deep };
    const tooDeep = snapshotOf(job({ margin: deep }), { id: printerIdFor(1) }, privacy, malformed)!;
    assert.ok(String(tooDeep.row.Configuration).length < 400, "a nesting no printJobConfiguration has is cut");
    assert.ok(malformed.fields.has("configuration"));
  });

  test("isFetchable is recorded", () => {
    assert.equal(
      snapshotOf(job(fullConfiguration, { isFetchable: true }), { id: printerIdFor(1) }, privacy, new MalformedData())!
        .row.IsFetchable,
      true,
    );
    assert.equal(
      snapshotOf(job(fullConfiguration, { isFetchable: false }), { id: printerIdFor(1) }, privacy, new MalformedData())!
        .row.IsFetchable,
      false,
    );
  });

  const changes: [string, Record<string, unknown>][] = [
    ["feedOrientation", { feedOrientation: "shortEdgeFirst" }],
    ["finishings", { finishings: ["staple"] }],
    ["fitPdfToPage", { fitPdfToPage: false }],
    ["inputBin", { inputBin: "Tray 1" }],
    ["outputBin", { outputBin: "Face up" }],
    ["margin", { margin: { ...fullConfiguration.margin, top: 0 } }],
    ["multipageLayout", { multipageLayout: "counterclockwiseFromTopLeft" }],
    ["quality", { quality: "low" }],
    ["scaling", { scaling: "fill" }],
    ["orientation", { orientation: "portrait" }],
    ["copies", { copies: 3 }],
  ];
  for (const [name, change] of changes) {
    test(`a change of ${name} is a change of the job`, () => {
      const before = parseJobState(job(), new MalformedData());
      const after = parseJobState(job({ ...fullConfiguration, ...change }), new MalformedData());
      assert.notEqual(jobFingerprint(after), jobFingerprint(before));
    });
  }

  test("a change of isFetchable is a change of the job; version 1 fingerprints did not see either", () => {
    const fetchable = parseJobState(job(fullConfiguration, { isFetchable: true }), new MalformedData());
    const notFetchable = parseJobState(job(fullConfiguration, { isFetchable: false }), new MalformedData());
    assert.notEqual(jobFingerprint(fetchable), jobFingerprint(notFetchable));
    assert.equal(jobFingerprint(fetchable, 1), jobFingerprint(notFetchable, 1));
    assert.equal(jobFingerprintVersion(jobFingerprint(fetchable, 1)), 1);
    assert.equal(jobFingerprintVersion(jobFingerprint(fetchable)), 2);
  });
});

describe("recording them, and upgrading an audit recorded before", () => {
  let rig: Rig;
  const printerId = printerIdFor(7);
  const prefix = `cf${Date.now().toString(36)}`;
  const table = (suffix: string): TableClient =>
    TableClient.fromConnectionString(rig.azurite!.connectionString, `${prefix}${suffix}`, {
      allowInsecureConnection: true,
    });
  const rows = async (suffix: string): Promise<Record<string, any>[]> => {
    const out: Record<string, any>[] = [];
    for await (const e of table(suffix).listEntities()) out.push(e);
    return out;
  };
  const runAudit = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

  before(async () => {
    rig = await startRig({ storage: true });
    rig.sim.addPrinter({ id: printerId, displayName: "Config printer" });
    for (const n of [1, 2, 3])
      rig.sim.addJob(printerId, {
        ...makeJob(printerId, n, { state: "completed" }),
        configuration: { ...fullConfiguration, copies: n },
      } as never);
    rig.sim.addJob(printerId, {
      ...makeJob(printerId, 4, { state: "processing" }),
      configuration: fullConfiguration,
      isFetchable: true,
    } as never);
    rig.configure({ AUDIT_TABLE_PREFIX: prefix, AUDIT_PRINTER_IDS: printerId });
    await serveAuditQueues(rig);
    await runAudit();
  });
  after(() => rig.stop());

  test("a run records Configuration and IsFetchable in the history and current rows, and the read API returns them", async () => {
    const history = await rows("Jobs");
    assert.equal(history.length, 4);
    const four = history.find((r) => r.JobId === "4")!;
    assert.equal(four.IsFetchable, true);
    assert.deepEqual(JSON.parse(four.Configuration), fullConfiguration);
    const current = (await rows("Current")).find((r) => r.JobId === "4")!;
    assert.equal(current.Configuration, four.Configuration);
    const response = await fetch(`${rig.api}/audit/printers/${printerId}/jobs/4`);
    const timeline = (await response.json()) as any;
    assert.equal(timeline.current.IsFetchable, true);
    assert.deepEqual(JSON.parse(timeline.current.Configuration), fullConfiguration);
  });

  test("a change of isFetchable alone, or of finishings alone, is a new observation", async () => {
    rig.sim.job(printerId, "4").isFetchable = false;
    await runAudit();
    let states = (await rows("Jobs")).filter((r) => r.JobId === "4");
    assert.deepEqual(states.map((r) => r.IsFetchable).sort(), [false, true]);
    rig.sim.job(printerId, "4").configuration = { ...fullConfiguration, finishings: ["bind"] };
    await runAudit();
    states = (await rows("Jobs")).filter((r) => r.JobId === "4");
    assert.equal(states.length, 3);
    assert.ok(states.some((r) => JSON.parse(r.Configuration).finishings[0] === "bind"));
  });

  test("current rows fingerprinted before the upgrade (version 1) get no new observation when nothing else changed", async () => {
    // Rewrite every current row as the previous version left it: version-1 fingerprints, no new columns.
    for (const row of await rows("Current")) {
      const raw = rig.sim.job(printerId, row.JobId);
      const v1 = jobFingerprint(parseJobState(raw, new MalformedData()), 1);
      await table("Current").updateEntity(
        {
          partitionKey: row.partitionKey,
          rowKey: row.rowKey,
          JobFingerprint: v1,
          Fingerprint: observationFingerprint(v1, row.TasksFingerprint),
        },
        "Merge",
      );
    }
    const before = (await rows("Jobs")).length;
    await runAudit();
    assert.equal((await rows("Jobs")).length, before, "an upgrade is not a change");
    // A real change after the upgrade is recorded, with the new columns and a version-2 fingerprint.
    rig.sim.setJobState(printerId, "4", "completed");
    await runAudit();
    assert.equal((await rows("Jobs")).length, before + 1);
    const current = (await rows("Current")).find((r) => r.JobId === "4")!;
    assert.equal(jobFingerprintVersion(current.JobFingerprint), 2);
    assert.equal(current.JobState, "completed");
  });
});
