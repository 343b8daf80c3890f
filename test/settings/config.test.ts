import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config";
import { ConfigError } from "../../src/errors";

const storage = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

function failsOn(env: Record<string, string>, setting: string): void {
  assert.throws(
    () => loadConfig({ ...storage, ...env }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.setting, setting);
      assert.match(error.message, new RegExp(`^Setting ${setting.replace(/_/g, "_")}:`));
      return true;
    },
  );
}

describe("settings", () => {
  test("defaults: global cloud, managed identity, every-10-minutes audit", () => {
    const config = loadConfig(storage);
    assert.equal(config.graph.baseUrl, "https://graph.microsoft.com/v1.0");
    assert.equal(config.graph.scope, "https://graph.microsoft.com/.default");
    assert.equal(config.graph.cloud.authorityHost, "https://login.microsoftonline.com");
    assert.equal(config.credential.mode, "managedIdentity");
    assert.equal(config.credential.clientId, undefined);
    assert.equal(config.audit.schedule, "0 */10 * * * *");
    assert.equal(config.audit.queueName, "print-audit");
    assert.deepEqual(config.audit.printerIds, []);
  });

  for (const [cloud, host, authority] of [
    ["usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us"],
    ["usgovdod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"],
  ] as const) {
    test(`GRAPH_CLOUD=${cloud} picks ${host} and its scope and authority`, () => {
      const config = loadConfig({ ...storage, GRAPH_CLOUD: cloud });
      assert.equal(config.graph.baseUrl, `${host}/v1.0`);
      assert.equal(config.graph.scope, `${host}/.default`);
      assert.equal(config.graph.cloud.authorityHost, authority);
    });
  }

  test("GRAPH_CLOUD=china is refused with the reason: Universal Print is not offered there", () => {
    assert.throws(
      () => loadConfig({ ...storage, GRAPH_CLOUD: "china" }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.setting === "GRAPH_CLOUD" &&
        /Universal Print is not offered/.test(error.message),
    );
  });

  test("GRAPH_BASE_URL overrides the base, keeps the cloud's scope; http only on loopback", () => {
    assert.equal(
      loadConfig({ ...storage, GRAPH_BASE_URL: "https://graph.microsoft.com/beta/" }).graph.baseUrl,
      "https://graph.microsoft.com/beta",
    );
    assert.equal(
      loadConfig({ ...storage, GRAPH_BASE_URL: "http://127.0.0.1:5000/v1.0" }).graph.baseUrl,
      "http://127.0.0.1:5000/v1.0",
    );
    assert.equal(
      loadConfig({ ...storage, GRAPH_BASE_URL: "http://localhost:5000/v1.0" }).graph.scope,
      "https://graph.microsoft.com/.default",
    );
    failsOn({ GRAPH_BASE_URL: "http://graph.example.com/v1.0" }, "GRAPH_BASE_URL");
    failsOn({ GRAPH_BASE_URL: "not a url" }, "GRAPH_BASE_URL");
    failsOn({ GRAPH_BASE_URL: "https://user:pw@graph.microsoft.com/v1.0" }, "GRAPH_BASE_URL");
  });

  test("bad values stop start-up with a message naming the setting", () => {
    failsOn({ GRAPH_CLOUD: "mars" }, "GRAPH_CLOUD");
    failsOn({ CREDENTIAL_MODE: "password" }, "CREDENTIAL_MODE");
    failsOn({ AZURE_CLIENT_ID: "not-a-guid" }, "AZURE_CLIENT_ID");
    failsOn({ AUDIT_PRINTER_IDS: "c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb, nope" }, "AUDIT_PRINTER_IDS");
    failsOn({ AUDIT_SCHEDULE: "*/5 * * * *" }, "AUDIT_SCHEDULE");
    failsOn({ AUDIT_REDACT_USERS: "maybe" }, "AUDIT_REDACT_USERS");
    failsOn({ AUDIT_RETENTION_DAYS: "-1" }, "AUDIT_RETENTION_DAYS");
    failsOn({ GRAPH_MAX_RETRIES: "lots" }, "GRAPH_MAX_RETRIES");
    failsOn({ AUDIT_QUEUE_NAME: "Bad_Queue" }, "AUDIT_QUEUE_NAME");
    failsOn({ AUDIT_QUEUE_NAME: "q".repeat(57) }, "AUDIT_QUEUE_NAME");
    assert.equal(loadConfig({ ...storage, AUDIT_QUEUE_NAME: "q".repeat(56) }).audit.queueName.length, 56);
  });

  test("printer ids: comma- or space-separated, case-folded, duplicates dropped", () => {
    const config = loadConfig({
      ...storage,
      AUDIT_PRINTER_IDS:
        "C05F3726-0D4B-4AA1-8FE9-2EB981BB26FB c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb,7e57a000-0000-4000-8000-000000000001",
    });
    assert.deepEqual(config.audit.printerIds, [
      "c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb",
      "7e57a000-0000-4000-8000-000000000001",
    ]);
  });

  test("storage: a connection string, or the identity-based AzureWebJobsStorage__* forms", () => {
    assert.equal(loadConfig(storage).storage.kind, "connectionString");
    const identity = loadConfig({
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__blobServiceUri: "https://st1.blob.core.usgovcloudapi.net",
      AzureWebJobsStorage__queueServiceUri: "https://st1.queue.core.usgovcloudapi.net",
      AzureWebJobsStorage__tableServiceUri: "https://st1.table.core.usgovcloudapi.net",
    }).storage;
    assert.deepEqual(identity, {
      kind: "identity",
      blobServiceUri: "https://st1.blob.core.usgovcloudapi.net",
      queueServiceUri: "https://st1.queue.core.usgovcloudapi.net",
      tableServiceUri: "https://st1.table.core.usgovcloudapi.net",
      clientId: undefined,
    });
    const byName = loadConfig({ AzureWebJobsStorage__accountName: "st1" }).storage;
    assert.equal(byName.kind === "identity" && byName.tableServiceUri, "https://st1.table.core.windows.net");
    failsOn({ AzureWebJobsStorage: "" }, "AzureWebJobsStorage");
  });

  test("a bad connection string is refused without echoing it", () => {
    assert.throws(
      () => loadConfig({ AzureWebJobsStorage: "AccountKey=c2VjcmV0LWtleQ==" }),
      (error: Error) => !error.message.includes("c2VjcmV0LWtleQ") && /AzureWebJobsStorage/.test(error.message),
    );
  });
});
