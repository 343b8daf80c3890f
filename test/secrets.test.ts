/**
 * Secrets never reach a log line or an answer. Representative scenarios of the other suites run with the
 * Azure SDKs logging at "verbose", while everything the process writes is
 * captured; then the host's log lines, the captured output and every answer are searched for the tokens the
 * identity endpoint issued, the identity header, the function key, the storage account key and connection
 * string, a SAS signature and a password put in a setting, and "Bearer ".
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getLogLevel, setLogLevel, type AzureLogLevel } from "@azure/logger";
import { devAccountKey } from "../sandbox/azurite";
import { Figures } from "./rig/figures";
import { call, freshIdentity, type JsonAnswer } from "./rig/http";
import { OutputCapture, secretsIn } from "./rig/outputCapture";
import { fastRetrySettings, startRig, type Rig } from "./rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId, seedShareId } from "../sandbox/tenant";

let rig: Rig;
const figures = new Figures("secrets");
const functionKey = "fk-7Qz2xN5pV8rT1wL4yB6mC9dF3hJ0kS2a";
const plantedSig = "5a5a5ecre7516e5a7e5a5a5ecre7516e";
const plantedPassword = "Pa55w0rd-in-a-setting-9137";
const capture = new OutputCapture({ quietStderr: true });
const answers: JsonAnswer[] = [];
let logLevel: AzureLogLevel | undefined;

before(async () => {
  rig = await startRig({ storage: true, host: { functionKeys: [functionKey] }, tenant: addSeedPrinter });
  logLevel = getLogLevel();
  setLogLevel("verbose");
  capture.start();
});
after(async () => {
  capture.stop();
  setLogLevel(logLevel);
  figures.print();
  await rig.stop();
});

const jobPath = `/printers/${seedPrinterId}/jobs/${seedJobId}`;

async function get(
  path: string,
  headers: Record<string, string> = { "x-functions-key": functionKey },
): Promise<JsonAnswer> {
  const answer = await call(`${rig.api}${path}`, { headers });
  answers.push(answer);
  figures.add("scenarioCalls");
  return answer;
}

function reset(env: Record<string, string | undefined> = {}): void {
  rig.sim.clearFaults();
  rig.identity.down = false;
  rig.identity.delayMs = 0;
  rig.identity.roles = ["PrintJob.ReadBasic.All", "Printer.Read.All"];
  rig.configure({ ...fastRetrySettings, AZURE_CLIENT_ID: freshIdentity(), GRAPH_BASE_URL: rig.sim.baseUrl, ...env });
}

describe("representative scenarios, with the SDKs logging verbosely", () => {
  test("the function key in ?code= and in x-functions-key; a wrong key", async () => {
    reset();
    assert.equal((await get(`${jobPath}?code=${functionKey}`, {})).status, 200);
    assert.equal((await get(`${jobPath}?code=${functionKey}&$expand=tasks,documents`, {})).status, 200);
    assert.equal((await get(jobPath)).status, 200);
    assert.equal((await get(`/shares/${seedShareId}/jobs/${seedJobId}`)).status, 200);
    assert.equal((await get(jobPath, { "x-functions-key": "wrong" })).status, 401);
    assert.equal((await get(`${jobPath}?$select=status/state&code=${functionKey}`, {})).status, 400);
    assert.equal((await get(`/printers/${seedPrinterId}/jobs/..%2F..%2Fme`)).status, 400);
  });

  test("Graph failures: 403, throttling, outage, unreadable and cut answers, timeouts", async () => {
    reset();
    rig.identity.roles = ["PrintJob.ReadBasic.All"];
    assert.equal((await get(jobPath)).status, 403);
    reset();
    rig.sim.inject({ status: 429, retryAfter: 30 });
    assert.equal((await get(jobPath)).status, 429);
    reset();
    rig.sim.inject({ status: 503 });
    assert.equal((await get(jobPath)).status, 503);
    reset();
    rig.sim.inject({ drop: "nonJson" });
    assert.equal((await get(jobPath)).status, 502);
    reset();
    rig.sim.inject({ drop: "truncate" });
    assert.equal((await get(jobPath)).status, 503);
    reset({ GRAPH_TRY_TIMEOUT_MS: "200", GRAPH_MAX_RETRIES: "1" });
    rig.sim.inject({ delayMs: 600 });
    assert.equal((await get(jobPath)).status, 504);
    reset();
  });

  test("the managed identity endpoint down, then slow", async () => {
    reset();
    rig.identity.down = true;
    assert.equal((await get(jobPath)).status, 503);
    reset({ GRAPH_TRY_TIMEOUT_MS: "500" });
    rig.identity.delayMs = 2000;
    assert.equal((await get(jobPath)).status, 503);
    reset();
  });

  test("a setting that carries a signature and a password", async () => {
    reset({ GRAPH_BASE_URL: `http://admin:${plantedPassword}@graph.contoso.example/v1.0?sig=${plantedSig}` });
    const answer = await get(jobPath);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, "configurationError");
    reset({
      AzureWebJobsStorage__tableServiceUri: `http://contosoprint.table.core.windows.net/?sv=2022-11-02&sig=${plantedSig}`,
      AzureWebJobsStorage: undefined,
    });
    assert.equal((await get(jobPath)).status, 500);
    reset({ AzureWebJobsStorage: rig.azurite!.connectionString });
    assert.equal((await get(jobPath)).status, 200);
  });
});

describe("no secret anywhere", () => {
  test("the scenarios produced logs, output and tokens to search", () => {
    assert.ok(rig.identity.issuedTokens.length >= 5, `${rig.identity.issuedTokens.length} tokens issued`);
    assert.ok(rig.host.logs.length >= 10, "the host logged the invocations");
    assert.match(capture.text, /azure:core-rest-pipeline/, "the SDKs logged verbosely and were captured");
    assert.match(capture.text, /azure:identity/, "the identity library logged and was captured");
    const canary = `canary-${Date.now()}`;
    console.log(`a line with ${canary}`);
    assert.deepEqual(secretsIn(capture.text, { canary }), ["canary"], "the search finds what was written");
  });

  function secrets(): Record<string, string> {
    const out: Record<string, string> = {
      "identity header": rig.identity.header,
      "function key": functionKey,
      "storage account key": devAccountKey,
      "storage connection string": rig.azurite!.connectionString,
      "SAS signature in a setting": plantedSig,
      "password in a setting": plantedPassword,
      "Bearer ": "Bearer ",
    };
    rig.identity.issuedTokens.forEach((token, i) => {
      out[`token ${i}`] = token;
      out[`token ${i} signature`] = token.split(".")[2]!;
    });
    return out;
  }

  test("not in the host's log lines", () => {
    const text = rig.host.logs.map((l) => l.message).join("\n");
    figures.add("logLinesSearched", rig.host.logs.length);
    assert.deepEqual(secretsIn(text, secrets()), []);
  });

  test("not in anything written to stdout or stderr", () => {
    const text = capture.text;
    figures.set("outputBytesSearched", Buffer.byteLength(text));
    assert.deepEqual(secretsIn(text, secrets()), []);
  });

  test("not in any answer, body or header", () => {
    const text = answers.map((a) => `${[...a.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${a.text}`).join("\n");
    figures.set("answersSearched", answers.length);
    assert.deepEqual(secretsIn(text, secrets()), []);
    figures.set("secretsFound", 0);
  });
});
