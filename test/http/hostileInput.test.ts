/**
 * Property tests (fast-check) over the app's edges: a caller's ids and query options, and the settings.
 * - Ids and options: what the documented grammar refuses is an InputError, what it accepts builds a Graph
 *   URL whose path is exactly /v1.0/print/{printers|shares}/{id}/jobs/{id} and whose query holds only
 *   $select/$expand with the caller's values: nothing a caller sends reaches another Graph path or option.
 * - Settings: loadConfig returns or throws a ConfigError naming a setting; no message ever carries a
 *   connection string's key or a SAS signature, whichever setting it was put in.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { loadConfig } from "../../src/config";
import { odataQuery, printJobPath } from "../../src/graph/paths";
import { assertPrintJobQueryAllowed, parseExpand, parsePrintJobRequest, parseSelect } from "../../src/jobs/request";
import { type Env } from "../../src/settings/env";
import { parseJobId, parsePrinterId } from "../../src/validation";
import { Figures } from "../rig/figures";
import { guid, jobIdLike, nearValid, propertyLike } from "../rig/hostile";
import { ConfigError, InputError } from "../../src/errors";

const figures = new Figures("hostile-input-properties");
after(() => figures.print());

const numRuns = 2000;

/** Runs a property with a fixed number of runs and counts the inputs tried. */
function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, runs = numRuns): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      figures.add("inputsTried");
      predicate(value);
    }),
    { numRuns: runs },
  );
}

/** Calls f; returns its value, or undefined when it threw an InputError; any other throw fails the property. */
function acceptedOrInputError<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    if (error instanceof InputError) {
      assert.ok(error.message.length < 400, "an InputError message never echoes a huge value");
      return undefined;
    }
    throw error;
  }
}

const guidGrammar = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const jobIdGrammar = /^[A-Za-z0-9-]{1,64}$/;
const propertyGrammar = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

describe("ids: accepted exactly when they match the documented grammar", () => {
  test("parsePrinterId", () => {
    check(nearValid(guid), (value) => {
      const parsed = acceptedOrInputError(() => parsePrinterId(value));
      assert.equal(parsed !== undefined, guidGrammar.test(value), JSON.stringify(value));
      if (parsed !== undefined) assert.equal(parsed, value.toLowerCase());
    });
  });

  test("parseJobId", () => {
    check(nearValid(jobIdLike), (value) => {
      const parsed = acceptedOrInputError(() => parseJobId(value));
      assert.equal(parsed !== undefined, jobIdGrammar.test(value), JSON.stringify(value));
      if (parsed !== undefined) assert.equal(parsed, value);
    });
  });
});

describe("query options: accepted exactly when they match the grammar", () => {
  const selectLike = fc
    .array(fc.oneof(propertyLike, nearValid(propertyLike)), { minLength: 1, maxLength: 35 })
    .map((items) => items.join(","));
  test("parseSelect", () => {
    check(fc.oneof(selectLike, nearValid(propertyLike)), (raw) => {
      const parsed = acceptedOrInputError(() => parseSelect(raw));
      const items = raw.split(",").map((s) => s.trim());
      const valid = items.length <= 30 && items.every((s) => propertyGrammar.test(s));
      assert.equal(parsed !== undefined, valid, JSON.stringify(raw));
      if (parsed) assert.deepEqual(parsed, [...new Set(items)]);
    });
  });

  const expandLike = fc
    .array(
      fc.oneof(
        fc.constantFrom("tasks", "documents", " tasks", "documents "),
        nearValid(fc.constantFrom("tasks", "documents")),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((items) => items.join(","));
  test("parseExpand", () => {
    check(expandLike, (raw) => {
      const parsed = acceptedOrInputError(() => parseExpand(raw));
      const items = raw.split(",").map((s) => s.trim());
      assert.equal(
        parsed !== undefined,
        items.every((s) => s === "tasks" || s === "documents"),
        JSON.stringify(raw),
      );
    });
  });

  test("assertQueryAllowed: only $select, $expand and code", () => {
    const names = fc.oneof(
      fc.constantFrom("$select", "$expand", "code"),
      nearValid(fc.constantFrom("$select", "$expand", "code", "$filter")),
    );
    check(fc.array(names, { maxLength: 5 }), (keys) => {
      const query = new URLSearchParams(keys.map((k): [string, string] => [k, "x"]));
      const ok = acceptedOrInputError(() => (assertPrintJobQueryAllowed(query), true)) ?? false;
      assert.equal(
        ok,
        keys.every((k) => ["$select", "$expand", "code"].includes(k)),
        JSON.stringify(keys),
      );
    });
  });
});

describe("nothing a caller sends reaches another Graph path or option", () => {
  const graphBase = "https://graph.microsoft.com/v1.0";
  const request = fc.record({
    parent: fc.constantFrom("printer" as const, "share" as const),
    parentId: nearValid(guid),
    jobId: nearValid(jobIdLike),
    query: fc.array(
      fc.tuple<[string, string]>(
        fc.oneof(fc.constantFrom("$select", "$expand", "code"), nearValid(fc.constantFrom("$select", "$expand"))),
        fc.oneof(
          fc.constantFrom("id,status", "tasks", "documents,tasks"),
          nearValid(propertyLike),
          nearValid(fc.constantFrom("tasks", "documents")),
        ),
      ),
      { maxLength: 4 },
    ),
  });

  test("parsePrintJobRequest + printJobPath + odataQuery", () => {
    check(
      request,
      ({ parent, parentId, jobId, query }) => {
        const params = parent === "printer" ? { printerId: parentId, jobId } : { shareId: parentId, jobId };
        const parsed = acceptedOrInputError(() => parsePrintJobRequest(parent, params, new URLSearchParams(query)));
        if (!parsed) return;
        figures.add("acceptedRequestsChecked");
        const path = printJobPath(parsed.ref);
        const segments = path.split("/");
        assert.equal(segments.length, 6, path);
        assert.deepEqual(segments.map(decodeURIComponent), [
          "",
          "print",
          parent === "printer" ? "printers" : "shares",
          parentId.toLowerCase(),
          "jobs",
          jobId,
        ]);
        const url = new URL(`${graphBase}${path}${odataQuery({ $select: parsed.select, $expand: parsed.expand })}`);
        assert.equal(url.origin, "https://graph.microsoft.com");
        assert.equal(url.pathname, `/v1.0${path}`, "no dot segment or encoded slash changes the path");
        assert.equal(url.hash, "");
        const sent = [...url.searchParams.keys()];
        assert.ok(
          sent.every((k) => k === "$select" || k === "$expand"),
          url.search,
        );
        assert.equal(new Set(sent).size, sent.length, "each option at most once");
        assert.equal(url.searchParams.get("$select") ?? undefined, parsed.select?.join(","));
        assert.equal(url.searchParams.get("$expand") ?? undefined, parsed.expand?.join(","));
      },
      4000,
    );
  });
});

describe("settings", () => {
  const secretKey = fc.uint8Array({ minLength: 32, maxLength: 64 }).map((b) => Buffer.from(b).toString("base64"));
  const secretSig = fc.uint8Array({ minLength: 16, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));

  /** A value carrying a secret, and the secret, in the shapes people paste into settings. */
  const secretValue = fc.oneof(
    secretKey.map((key) => ({
      secret: key,
      value: `DefaultEndpointsProtocol=https;AccountName=contosoprint;AccountKey=${key};EndpointSuffix=core.windows.net`,
    })),
    secretKey.map((key) => ({ secret: key, value: `AccountKey=${key}` })),
    secretKey.map((key) => ({
      secret: key,
      value: `Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${key}`,
    })),
    secretSig.map((sig) => ({
      secret: sig,
      value: `https://contosoprint.table.core.windows.net/?sv=2022-11-02&ss=t&sig=${sig}`,
    })),
    secretSig.map((sig) => ({
      secret: sig,
      value: `http://contosoprint.table.core.windows.net/?sv=2022-11-02&sig=${sig}`,
    })),
    secretSig.map((sig) => ({
      secret: sig,
      value: `TableEndpoint=https://x.table.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=${sig}`,
    })),
    secretSig.map((sig) => ({ secret: sig, value: `https://admin:${sig}@graph.contoso.example/v1.0` })),
    secretSig.map((sig) => ({ secret: sig, value: `not a url; AccountKey=${sig}` })),
  );

  const settingNames = [
    "GRAPH_CLOUD",
    "GRAPH_BASE_URL",
    "GRAPH_MAX_RETRIES",
    "GRAPH_RETRY_DELAY_MS",
    "GRAPH_MAX_RETRY_DELAY_MS",
    "GRAPH_TRY_TIMEOUT_MS",
    "GRAPH_MAX_RETRY_AFTER_MS",
    "CREDENTIAL_MODE",
    "AZURE_CLIENT_ID",
    "AzureWebJobsStorage",
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "AzureWebJobsStorage__clientId",
    "AUDIT_TABLE_PREFIX",
    "AUDIT_QUEUE_NAME",
    "AUDIT_PRINTER_IDS",
    "AUDIT_DISCOVER_PRINTERS",
    "AUDIT_SCHEDULE",
    "AUDIT_REDACT_USERS",
    "AUDIT_OMIT_DOCUMENT_NAMES",
    "AUDIT_RETENTION_DAYS",
    "AUDIT_RETENTION_SCHEDULE",
    "AUDIT_HASH_SALT",
    "AUDIT_HASH_KEY",
    "HTTP_DEADLINE_MS",
    "PUBLIC_BASE_URL",
    "WEBSITE_INSTANCE_ID",
  ];
  const plausible = fc.constantFrom(
    "",
    " ",
    "0",
    "1",
    "3",
    "-1",
    "99999999",
    "1e3",
    "true",
    "no",
    "global",
    "usgov",
    "china",
    "managedIdentity",
    "developer",
    "none",
    "hash",
    "UseDevelopmentStorage=true",
    "0 */10 * * * *",
    "https://graph.microsoft.com/v1.0",
    "http://127.0.0.1:10002/devstoreaccount1",
    "ftp://x",
    "printaudit",
    "print-audit",
    "c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb",
    "c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb, nope",
  );
  const anyValue = fc.oneof(plausible, fc.string({ unit: "grapheme", maxLength: 60 }), nearValid(guid));
  const env = fc
    .record({
      values: fc.dictionary(fc.constantFrom(...settingNames), anyValue, { maxKeys: 8 }),
      planted: fc.option(fc.tuple(fc.constantFrom(...settingNames), secretValue), { nil: undefined }),
      storage: fc.constantFrom("UseDevelopmentStorage=true", undefined),
    })
    .map(({ values, planted, storage }) => {
      const out: Record<string, string> = { ...(storage ? { AzureWebJobsStorage: storage } : {}), ...values };
      if (planted) out[planted[0]] = planted[1].value;
      return { env: out as Env, secret: planted?.[1].secret };
    });

  test("loadConfig returns or throws a ConfigError naming a setting, and never shows a secret", () => {
    check(
      env,
      ({ env: values, secret }) => {
        try {
          loadConfig(values);
          figures.add("settingsAccepted");
        } catch (error) {
          assert.ok(error instanceof ConfigError, `not a ConfigError: ${(error as Error)?.stack}`);
          assert.ok(settingNames.includes(error.setting), error.setting);
          assert.ok(error.message.includes(error.setting), "the message names the setting");
          if (secret) {
            const message = error.message.toLowerCase();
            for (let i = 0; i + 8 <= secret.length; i += 4) {
              assert.ok(
                !message.includes(secret.slice(i, i + 8).toLowerCase()),
                `the message shows part of a secret: ${error.message}`,
              );
            }
          }
        }
      },
      5000,
    );
  });

  test("every planted secret is refused or kept out of every message, setting by setting", () => {
    // A deterministic sweep on top of the random one: each secret shape in each setting.
    const sig = "5ecre75ecre75ecre75ecre75ecre7ab";
    const key = Buffer.from("k".repeat(48)).toString("base64");
    const values = [
      `DefaultEndpointsProtocol=https;AccountName=contosoprint;AccountKey=${key};EndpointSuffix=core.windows.net`,
      `http://contosoprint.table.core.windows.net/?sv=2022-11-02&sig=${sig}`,
      `https://contosoprint.table.core.windows.net/?sig=${sig}`,
      `https://admin:${sig}@graph.contoso.example/v1.0`,
      `not a url AccountKey=${key}`,
    ];
    for (const name of settingNames) {
      for (const value of values) {
        figures.add("inputsTried");
        try {
          loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true", [name]: value });
        } catch (error) {
          assert.ok(error instanceof ConfigError);
          const message = error.message.toLowerCase();
          assert.ok(
            !message.includes(sig.slice(0, 8).toLowerCase()) && !message.includes(key.slice(0, 8).toLowerCase()),
            `${name}: ${error.message}`,
          );
        }
      }
    }
  });
});
