import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LoopbackServer } from "../../sandbox/loopbackServer";
import { startRig, type Rig } from "../rig/rig";
import { addGeneratedTenant, makeJob, printerIdFor } from "../../sandbox/tenant";
import { jobColumns } from "../../src/audit/snapshot";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";

let rig: Rig;
let printers: string[];
const oddPrinter = printerIdFor(42);

before(async () => {
  rig = await startRig({ storage: true });
  printers = addGeneratedTenant(rig.sim, { printers: 2, jobsPerPrinter: 14, tasksPerJob: 1 });
  rig.sim.addPrinter({ id: oddPrinter, displayName: 'Odd, "quoted"\nprinter' });
  rig.sim.addJob(
    oddPrinter,
    makeJob(oddPrinter, 1, {
      state: "completed",
      description: 'Line one, "two"\nline three',
      createdDateTime: "2026-11-01T10:00:00Z",
    }),
  );
  const formula = makeJob(oddPrinter, 2, { state: "aborted", createdDateTime: "2026-11-02T10:00:00Z" });
  formula.documents = [{ id: "d2", displayName: '=HYPERLINK("http://x")', size: 5 }];
  formula.createdBy = { id: "u-plus", userPrincipalName: "+plus@contoso.com", displayName: "@at" };
  rig.sim.addJob(oddPrinter, formula);
  rig.configure({ AUDIT_PRINTER_IDS: [...printers, oddPrinter].join(","), AUDIT_TABLE_PREFIX: "readapi" });
  await serveAuditQueues(rig);
  await runScheduledAudit(rig);
  rig.sim.setJobState(printers[0]!, "3", "completed");
  rig.sim.job(printers[0]!, "3").tasks![0]!.status = { state: "completed", description: "Released." };
  await runScheduledAudit(rig);
});
after(() => rig.stop());

async function get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetch(path.startsWith("http") ? path : `${rig.api}${path}`);
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers };
}

const totalRows = (): number => 2 * 14 + 2 + 1; // every job once, plus job 3's second state

describe("a job's timeline", () => {
  test("states and tasks, oldest first, with the current state and printer name", async () => {
    const { status, body } = await get(`/audit/printers/${printers[0]}/jobs/3`);
    assert.equal(status, 200);
    assert.equal(body.printerId, printers[0]);
    assert.equal(body.jobId, "3");
    assert.equal(body.printerName, "Printer 1");
    assert.deepEqual(
      body.states.map((s: any) => s.JobState),
      ["stopped", "completed"],
    );
    assert.equal(body.current.JobState, "completed");
    assert.deepEqual(
      body.tasks.map((t: any) => [t.TaskState, t.Sequence]),
      [
        ["processing", 1],
        ["completed", 2],
      ],
      "the task as first seen, and again when it completed",
    );
    assert.deepEqual(Object.keys(body.states[0]), [...jobColumns], "the table's column names, no keys or etag");
    assert.ok(!("PartitionKey" in body.current) && !("etag" in body.current));
  });

  test("a job never recorded is a JSON 404", async () => {
    const { status, body } = await get(`/audit/printers/${printers[0]}/jobs/9999`);
    assert.equal(status, 404);
    assert.equal(body.error.code, "notFound");
  });

  test("bad ids are 400s naming the parameter", async () => {
    assert.equal((await get(`/audit/printers/not-a-guid/jobs/3`)).body.error.target, "printerId");
    assert.equal((await get(`/audit/printers/${printers[0]}/jobs/a%23b`)).body.error.target, "jobId");
    assert.equal((await get(`/audit/printers/${printers[0]}/jobs/3?x=1`)).status, 400);
  });
});

describe("the history", () => {
  test("filters by printer, state, user and created time", async () => {
    const byPrinter = await get(`/audit/jobs?printerId=${printers[1]}&top=1000`);
    assert.equal(byPrinter.status, 200);
    assert.equal(byPrinter.body.value.length, 14);
    assert.ok(byPrinter.body.value.every((r: any) => r.PrinterId === printers[1]));
    const created = byPrinter.body.value.map((r: any) => r.CreatedDateTime);
    assert.deepEqual(created, [...created].sort().reverse(), "newest job first within a printer");

    const aborted = await get(`/audit/jobs?state=aborted&top=1000`);
    assert.ok(aborted.body.value.length > 0 && aborted.body.value.every((r: any) => r.JobState === "aborted"));

    const user = await get(`/audit/jobs?user=${encodeURIComponent("Pat.Kim@contoso.com")}&top=1000`);
    assert.ok(user.body.value.length > 0 && user.body.value.every((r: any) => r.CreatedBy === "pat.kim@contoso.com"));

    const window = await get(`/audit/jobs?printerId=${oddPrinter}&from=2026-11-02&to=2026-11-02`);
    assert.deepEqual(
      window.body.value.map((r: any) => r.JobId),
      ["2"],
    );
    const from = await get(`/audit/jobs?from=2026-11-20T08:05:00Z&to=2026-11-20T08:07:00Z&top=1000`);
    assert.deepEqual(from.body.value.map((r: any) => `${r.PrinterId.slice(-1)}:${r.JobId}`).sort(), [
      "1:5",
      "1:6",
      "1:7",
      "2:5",
      "2:6",
      "2:7",
    ]);
  });

  test("a state with quotes is escaped, never injected", async () => {
    const { status, body } = await get(`/audit/jobs?state=${encodeURIComponent("x' or JobState ne 'y")}`);
    assert.equal(status, 200);
    assert.deepEqual(body.value, []);
  });

  test("pages with a continuation token and an absolute nextLink followed to the end", async () => {
    const seen: string[] = [];
    let link: string | undefined = `${rig.api}/audit/jobs?top=4&code=the-key`;
    let pages = 0;
    while (link) {
      const { status, body } = await get(link);
      assert.equal(status, 200);
      pages++;
      for (const r of body.value) seen.push(`${r.PrinterId}|${r.JobId}|${r.Sequence}`);
      assert.ok(body.value.length <= 4);
      link = body["@odata.nextLink"];
      if (link) {
        assert.match(link, /^http:\/\/localhost:\d+\/api\/audit\/jobs\?/);
        assert.equal(new URL(link).searchParams.get("continuationToken"), body.continuationToken);
        assert.equal(new URL(link).searchParams.get("top"), "4");
        assert.equal(new URL(link).searchParams.get("code"), null, "the function key never travels in a link");
      }
      assert.ok(pages < 50);
    }
    assert.equal(seen.length, totalRows());
    assert.equal(new Set(seen).size, seen.length, "no row twice");
    assert.ok(!rig.host.logs.some((l) => l.message.includes("the-key")), "the function key is never logged");
  });

  test("PUBLIC_BASE_URL is the nextLink's base", async () => {
    rig.configure({ PUBLIC_BASE_URL: "https://print-audit.example.net" });
    try {
      const { body } = await get(`/audit/jobs?top=2`);
      assert.match(
        body["@odata.nextLink"],
        /^https:\/\/print-audit\.example\.net\/api\/audit\/jobs\?top=2&continuationToken=/,
      );
    } finally {
      rig.configure({ PUBLIC_BASE_URL: undefined });
    }
  });

  const bad: [string, string][] = [
    ["printerId=nope", "printerId"],
    ["from=yesterday", "from"],
    ["to=2026-13-45", "to"],
    ["from=2026-11-24&to=2026-11-01", "from"],
    ["top=0", "top"],
    ["top=1001", "top"],
    ["top=ten", "top"],
    ["format=xml", "format"],
    ["continuationToken=garbage!", "continuationToken"],
    ["sort=JobState", "sort"],
    ["state=a&state=b", "state"],
  ];
  for (const [query, target] of bad) {
    test(`400 naming ${target} for ${query}`, async () => {
      const { status, body } = await get(`/audit/jobs?${query}`);
      assert.equal(status, 400);
      assert.equal(body.error.code, "badRequest");
      assert.equal(body.error.target, target);
    });
  }
});

/** A minimal RFC 4180 reader, to check what a spreadsheet would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

describe("CSV export", () => {
  test("UTF-8 with BOM, a header of the column names, every row, quotes and newlines escaped, formulas defused", async () => {
    const response = await fetch(`${rig.api}/audit/jobs?format=csv`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
    assert.match(response.headers.get("content-disposition") ?? "", /attachment; filename="print-audit-/);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "BOM");
    const rows = parseCsv(bytes.subarray(3).toString("utf8"));
    assert.deepEqual(rows[0], [...jobColumns]);
    assert.equal(rows.length - 1, totalRows());
    const col = (name: string) => jobColumns.indexOf(name as never);
    const odd = rows.filter((r) => r[col("PrinterId")] === oddPrinter);
    const one = odd.find((r) => r[col("JobId")] === "1")!;
    assert.equal(one[col("JobStateDescription")], 'Line one, "two"\nline three');
    assert.equal(one[col("PrinterName")], 'Odd, "quoted"\nprinter');
    const two = odd.find((r) => r[col("JobId")] === "2")!;
    assert.equal(two[col("DocumentNames")], '\'=HYPERLINK("http://x")');
    assert.equal(two[col("CreatedBy")], "'+plus@contoso.com");
    assert.equal(two[col("CreatedByName")], "'@at");
    assert.equal(two[col("ErrorCode")], "4", "numbers are not altered");
  });

  test("filters apply to the export", async () => {
    const text = await (await fetch(`${rig.api}/audit/jobs?format=csv&printerId=${oddPrinter}`)).text();
    assert.equal(parseCsv(text.replace(/^\uFEFF/, "")).length, 3);
  });
});

describe("storage failures", () => {
  test("audit tables that refuse the app are a 503 the caller can retry, and no key reaches the log", async () => {
    const good = rig.azurite!.connectionString;
    const wrongKey = Buffer.alloc(64, 7).toString("base64");
    rig.configure({ AzureWebJobsStorage: good.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`) });
    try {
      for (const path of [`/audit/jobs`, `/audit/printers/${printers[0]}/jobs/3`]) {
        const { status, body, headers } = await get(path);
        assert.equal(status, 503, path);
        assert.equal(body.error.code, "auditStoreUnavailable");
        assert.ok(headers.get("retry-after"));
      }
      assert.ok(!rig.host.logs.some((l) => l.message.includes(wrongKey) || l.message.includes("AccountKey")));
    } finally {
      rig.configure({ AzureWebJobsStorage: good });
    }
  });

  test("a query the tables refuse as built (400) is a 500 auditQueryRefused to report, never a 503 to retry", async () => {
    const good = rig.azurite!.connectionString;
    const refusing = new LoopbackServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json;odata=minimalmetadata;charset=utf-8" });
      res.end(
        JSON.stringify({
          "odata.error": {
            code: "InvalidInput",
            message: { lang: "en-US", value: "One of the request inputs is not valid." },
          },
        }),
      );
    });
    const port = await refusing.listen(0);
    rig.configure({
      AzureWebJobsStorage: good.replace(/TableEndpoint=http:\/\/[^/]+/, `TableEndpoint=http://127.0.0.1:${port}`),
    });
    try {
      for (const path of [`/audit/jobs`, `/audit/events`]) {
        const { status, body, headers } = await get(path);
        assert.equal(status, 500, path);
        assert.equal(body.error.code, "auditQueryRefused");
        assert.equal(headers.get("retry-after"), null);
      }
    } finally {
      rig.configure({ AzureWebJobsStorage: good });
      await refusing.close();
    }
  });
});

describe("retention", () => {
  test("history older than AUDIT_RETENTION_DAYS is purged; newer history stays", async () => {
    const old = makeJob(oddPrinter, 3, {
      state: "completed",
      createdDateTime: new Date(Date.now() - 500 * 86_400_000).toISOString(),
    });
    rig.sim.addJob(oddPrinter, old);
    await runScheduledAudit(rig);
    assert.equal((await get(`/audit/printers/${oddPrinter}/jobs/3`)).status, 200);
    rig.sim.printers.get(oddPrinter)!.jobs.delete("3");
    await rig.host.fireTimer("auditRetention");
    assert.equal((await get(`/audit/printers/${oddPrinter}/jobs/3`)).status, 404);
    const { body } = await get(`/audit/jobs?printerId=${oddPrinter}`);
    assert.deepEqual(body.value.map((r: any) => r.JobId).sort(), ["1", "2"]);
    assert.ok(
      rig.host.logs.some(
        (l) => l.functionName === "auditRetention" && /jobRows=1 taskRows=0 currentRows=1/.test(l.message),
      ),
    );
  });
});
