/**
 * The anchor is only ever created and appended to: every request the app makes to Blob Storage while it records
 * audits (two runs, so blobs are appended to again) and verifies them is observed at a proxy in front of
 * Azurite's blob endpoint. No delete, no overwrite: a blob is created only with If-None-Match: *, written only
 * with comp=appendblock.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { makeJob, printerIdFor } from "../../sandbox/tenant";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { CountingProxy, RequestCounter } from "../rig/countingProxy";
import { startRig, type Rig } from "../rig/rig";

let rig: Rig;
let proxy: CountingProxy;
const printerId = printerIdFor(81);
const requests: { method: string; url: URL; headers: Record<string, string | string[] | undefined> }[] = [];

before(async () => {
  rig = await startRig({ storage: true, simulator: { pageSize: 5 } });
  rig.sim.addPrinter({ id: printerId, displayName: "Anchor printer" });
  // The jobs' UTC days, from the first job's to the last's (two when the suite runs across midnight).
  const firstDay = new Date().toISOString().slice(0, 10);
  for (let n = 1; n <= 6; n++)
    rig.sim.addJob(printerId, makeJob(printerId, n, { tasks: 1, createdDateTime: new Date().toISOString() }));
  const counter = new RequestCounter();
  counter.decide = (_n, req) => {
    requests.push({ method: req.method ?? "", url: new URL(req.url ?? "/", "http://blob"), headers: req.headers });
    return "forward";
  };
  proxy = await new CountingProxy(`http://127.0.0.1:${rig.azurite!.blobPort}`, counter).start();
  rig.configure({
    AzureWebJobsStorage: rig.azurite!.connectionStringVia({ blob: proxy.origin }),
    AUDIT_TABLE_PREFIX: `anc${randomBytes(3).toString("hex")}`,
    AUDIT_PRINTER_IDS: printerId,
  });
  await serveAuditQueues(rig);
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  rig.sim.setJobState(printerId, "1", "aborted");
  rig.sim.addJob(printerId, makeJob(printerId, 7, { tasks: 1, createdDateTime: new Date().toISOString() }));
  await runScheduledAudit(rig, { timeoutMs: 20_000 });
  const today = new Date().toISOString().slice(0, 10);
  const verified = await fetch(`${rig.api}/audit/integrity?from=${firstDay}&to=${today}`);
  assert.equal(verified.status, 200, await verified.text());
});
after(async () => {
  await rig.stop();
  await proxy.stop();
});

/** What one request does to Blob Storage, in words the assertions read. */
function operation({ method, url, headers }: (typeof requests)[number]): string {
  const comp = url.searchParams.get("comp");
  const restype = url.searchParams.get("restype");
  if (method === "GET" || method === "HEAD") return "read";
  if (method === "PUT" && restype === "container" && !comp) return "create container";
  if (method === "PUT" && comp === "appendblock") return "append";
  if (method === "PUT" && !comp && headers["x-ms-blob-type"] === "AppendBlob")
    return headers["if-none-match"] === "*" ? "create append blob if none" : "create append blob over any";
  return `${method} ${comp ?? restype ?? "blob"}`;
}

test("the app only creates (If-None-Match: *) and appends to the anchor's blobs, never overwrites or deletes", () => {
  const kinds = new Set(requests.map(operation));
  assert.ok(kinds.has("append") && kinds.has("create append blob if none") && kinds.has("read"), [...kinds].join(", "));
  const allowed = new Set(["read", "create container", "append", "create append blob if none"]);
  assert.deepEqual(
    [...kinds].filter((k) => !allowed.has(k)),
    [],
    "no delete, no put over a blob, no block or page writes, no metadata or tier changes",
  );
  assert.ok(!requests.some((r) => r.method === "DELETE"));
});

test("every append carries a condition (the blob's size limit), and the two runs appended to the same hour's blob", () => {
  const appends = requests.filter((r) => operation(r) === "append");
  assert.ok(appends.length >= 3, `${appends.length} appends`);
  assert.ok(appends.every((r) => r.headers["x-ms-blob-condition-maxsize"] !== undefined));
  const blobs = new Set(appends.map((r) => r.url.pathname));
  assert.ok(blobs.size < appends.length, "appends go to a blob already created, not to a new blob each time");
});
