// Every printJob the simulator serves (get, $expand, list pages, $batch answers) parsed with Microsoft's own Graph
// models: @microsoft/msgraph-sdk's PrintJob deserializer on @microsoft/kiota-serialization-json's JSON parse node.
// A property the model does not know, or a value it cannot read (an enum value Graph does not have, a wrong type),
// is drift of the simulator from Graph and fails here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type PrintJob } from "../../src/graph/types";
import { appClients } from "../../src/composition/rooms";
import { startRig, type Rig } from "../rig/rig";
import {
  addGeneratedTenant,
  addSeedPrinter,
  fullJobConfiguration,
  makeJob,
  seedJobId,
  seedPrinterId,
  seedShareId,
} from "../../sandbox/tenant";

type Json = Record<string, unknown>;
/** Kiota's ParsableFactory, by shape (its package is an ES module this CommonJS test cannot import types from). */
type ParsableFactory<T> = (parseNode: never) => (instance?: T) => Record<string, unknown>;
interface Models {
  printJob: ParsableFactory<Json>;
  collection: ParsableFactory<Json>;
  parse(raw: unknown, factory: ParsableFactory<Json>): Json | undefined;
}

/** The official models are ES modules: loaded with import() from this CommonJS test. */
async function loadModels(): Promise<Models> {
  const models = await import("@microsoft/msgraph-sdk/models/index.js");
  const { JsonParseNode } = await import("@microsoft/kiota-serialization-json");
  return {
    printJob: models.createPrintJobFromDiscriminatorValue as unknown as ParsableFactory<Json>,
    collection: models.createPrintJobCollectionResponseFromDiscriminatorValue as unknown as ParsableFactory<Json>,
    parse: (raw, factory) => new JsonParseNode(raw).getObjectValue(factory as never) as Json | undefined,
  };
}

/** OData annotations are the protocol's, not the model's. */
const annotation = (key: string): boolean => key.startsWith("@odata.");

/**
 * Where the parsed model differs from the JSON it was parsed from: properties it kept only as additionalData
 * (unknown to the model) and values it dropped (unknown enum values, wrong types).
 */
export function drift(raw: unknown, parsed: unknown, path = "printJob"): string[] {
  if (Array.isArray(raw)) {
    if (!Array.isArray(parsed)) return [`${path}: the model did not read the array`];
    return raw.flatMap((item, i) => (item === null ? [] : drift(item, parsed[i], `${path}[${i}]`)));
  }
  if (raw === null || typeof raw !== "object") {
    return raw !== null && (parsed === undefined || parsed === null)
      ? [`${path}: the model dropped ${JSON.stringify(raw)}`]
      : [];
  }
  if (parsed === undefined || parsed === null || typeof parsed !== "object")
    return [`${path}: the model did not read the object`];
  const model = parsed as Json;
  const extra = Object.keys((model.additionalData as Json | undefined) ?? {}).filter((k) => !annotation(k));
  const problems = extra.map((k) => `${path}.${k}: not a property of Microsoft's model`);
  for (const [key, value] of Object.entries(raw as Json)) {
    if (annotation(key) || extra.includes(key) || value === null) continue;
    problems.push(...drift(value, model[key], `${path}.${key}`));
  }
  return problems;
}

let rig: Rig;
let models: Models;
const served: { source: string; body: unknown; factory: "printJob" | "collection" }[] = [];

const fullConfiguration = fullJobConfiguration;

before(async () => {
  [rig, models] = await Promise.all([startRig({ simulator: { pageSize: 5 } }), loadModels()]);
  addSeedPrinter(rig.sim);
  const printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 9, tasksPerJob: 2 });
  rig.sim.addJob(printers[0]!, {
    ...makeJob(printers[0]!, 500, { state: "processing" }),
    configuration: fullConfiguration,
  } as never);
  rig.sim.addJob(
    printers[0]!,
    makeJob(printers[0]!, 501, {
      state: "completed",
      redirectedTo: `https://graph.microsoft.com/v1.0/print/printers/${printers[1]}/jobs/77`,
    }),
  );
  rig.sim.setJobState(printers[0]!, "1", "processing", { details: ["transforming"] });
  rig.sim.setJobState(printers[0]!, "2", "paused", { details: ["releaseWait"] });

  const graph = (await appClients()).graph("interactive");
  const get = async (source: string, path: string): Promise<void> => {
    served.push({ source, body: (await graph.requestJson("GET", path)).body, factory: "printJob" });
  };
  await get("get (seed)", `/print/printers/${seedPrinterId}/jobs/${seedJobId}`);
  await get("get through a share", `/print/shares/${seedShareId}/jobs/${seedJobId}?$expand=tasks,documents`);
  for (const printerId of printers) {
    for (const jobId of rig.sim.printers.get(printerId)!.jobs.keys()) {
      for (const expand of ["", "?$expand=tasks", "?$expand=documents", "?$expand=tasks,documents"]) {
        await get(`get${expand || ""}`, `/print/printers/${printerId}/jobs/${jobId}${expand}`);
      }
    }
    for (const query of ["", "?$expand=documents"]) {
      let next: string | undefined = `/print/printers/${printerId}/jobs${query}`;
      while (next) {
        const { body } = await graph.requestJson<Json>("GET", next);
        served.push({ source: `list page${query}`, body, factory: "collection" });
        next = body["@odata.nextLink"] as string | undefined;
      }
    }
    const ids = [...rig.sim.printers.get(printerId)!.jobs.keys()];
    const answers = await graph.batch<PrintJob>(
      ids.map((id, i) => ({ id: String(i + 1), url: `/print/printers/${printerId}/jobs/${id}?$expand=tasks` })),
    );
    for (const answer of answers) served.push({ source: "$batch answer", body: answer.body, factory: "printJob" });
  }
});
after(() => rig.stop());

describe("the simulator's printJobs, read with Microsoft's Graph models", () => {
  test("every served job and page parses with no drift", () => {
    const sources = new Set(served.map((s) => s.source));
    for (const expected of [
      "get (seed)",
      "get through a share",
      "get?$expand=tasks",
      "get?$expand=documents",
      "list page",
      "list page?$expand=documents",
      "$batch answer",
    ]) {
      assert.ok(sources.has(expected), `served through ${expected}`);
    }
    assert.ok(served.length > 100, `${served.length} answers`);
    const problems = served.flatMap(({ source, body, factory }) =>
      drift(body, models.parse(body, models[factory])).map((p) => `${source}: ${p}`),
    );
    assert.deepEqual([...new Set(problems)], []);
  });

  test("every property Graph's model has on the job, its status, configuration, tasks and documents is one the simulator can send", () => {
    const job = served.find(
      (s) => s.source === "get?$expand=tasks,documents" && JSON.stringify(s.body).includes("feedOrientation"),
    )!.body as Json;
    const parsed = models.parse(job, models.printJob)!;
    for (const key of [
      "id",
      "createdDateTime",
      "createdBy",
      "status",
      "configuration",
      "isFetchable",
      "documents",
      "tasks",
    ]) {
      assert.ok(parsed[key] !== undefined, `the model read ${key}`);
    }
    assert.equal((parsed.configuration as Json).multipageLayout, "clockwiseFromTopLeft");
    assert.equal((parsed.configuration as Json).scaling, "shrinkToFit");
  });

  test("the check fails on drift: an unknown property, a state detail Graph does not have, a wrong type", () => {
    const job = structuredClone(served[0]!.body) as Json;
    job.pageCount = 3;
    job.status = { ...(job.status as Json), details: ["interpreterError"] };
    job.configuration = { colorMode: "sepia", copies: "two" };
    const problems = drift(job, models.parse(job, models.printJob)).join("\n");
    assert.match(problems, /printJob\.pageCount: not a property of Microsoft's model/);
    assert.match(problems, /printJob\.status\.details\[0\]: the model dropped "interpreterError"/);
    assert.match(problems, /printJob\.configuration\.colorMode: the model dropped "sepia"/);
    assert.match(problems, /printJob\.configuration\.copies: the model dropped "two"/);
  });
});
