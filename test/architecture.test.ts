/**
 * The rooms of architecture.md hold: ESLint (eslint.config.mjs, run by .ci/run) refuses an import a room may
 * not make, and a file or function past the sizes. Each case lints a small file as if it stood at that path.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ESLint } from "eslint";
import { repoRoot } from "../sandbox/host/functionApp";

const root = repoRoot();
const eslint = new ESLint({ cwd: root });

async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

async function refused(path: string, code: string, rule: RegExp): Promise<void> {
  const found = await problems(path, code);
  assert.ok(
    found.some((p) => rule.test(p)),
    `${path} should be refused (${rule}); ESLint said: ${found.join(" | ") || "nothing"}`,
  );
}

async function accepted(path: string, code: string): Promise<void> {
  const found = (await problems(path, code)).filter((p) => /restricted-imports|max-lines/.test(p));
  assert.deepEqual(found, [], `${path} should be allowed`);
}

const importRule = /no-restricted-imports/;
const use = (name: string) => `\nexport const used = ${name};\n`;

describe("the import rule between rooms", () => {
  test("Graph knows nothing of the audit, the functions or their packages", async () => {
    await refused("src/graph/x.ts", `import { AuditStore } from "../audit/store";${use("AuditStore")}`, importRule);
    await refused(
      "src/graph/policies/x.ts",
      `import { app } from "../../functions/getPrintJob";${use("app")}`,
      importRule,
    );
    await refused("src/graph/x.ts", `import { app } from "@azure/functions";${use("app")}`, importRule);
    await refused(
      "src/graph/x.ts",
      `import { TableClient } from "@azure/data-tables";${use("TableClient")}`,
      importRule,
    );
    await accepted("src/graph/x.ts", `import { GraphError } from "../errors";${use("GraphError")}`);
  });

  test("the audit domain never sees HTTP, a function or get-job; it may use Graph", async () => {
    await refused(
      "src/audit/x.ts",
      `import { replyToError } from "../http/replies";${use("replyToError")}`,
      importRule,
    );
    await refused(
      "src/audit/store/x.ts",
      `import { parsePrintJobRef } from "../../jobs/request";${use("parsePrintJobRef")}`,
      importRule,
    );
    await refused("src/audit/x.ts", `import { app } from "@azure/functions";${use("app")}`, importRule);
    await accepted("src/audit/x.ts", `import { GraphClient } from "../graph/client";${use("GraphClient")}`);
  });

  test("a function file never imports another", async () => {
    await refused("src/functions/x.ts", `import { handler } from "./getPrintJob";${use("handler")}`, importRule);
    await accepted("src/functions/x.ts", `import { traced } from "../http/tracedHandler";${use("traced")}`);
  });

  test("the viewer and the contract stay browser-safe", async () => {
    await refused("src/viewer/x.ts", `import { csvCell } from "../audit/read";${use("csvCell")}`, importRule);
    await refused("src/viewer/x.ts", `import { isGuid } from "../validation";${use("isGuid")}`, importRule);
    await accepted("src/viewer/x.ts", `import { visibleText } from "../contract/visibleText";${use("visibleText")}`);
    await refused("src/contract/x.ts", `import { InputError } from "../errors";${use("InputError")}`, importRule);
  });

  test("the kernel imports nothing from a room, not even a type, and the app never imports the sandbox", async () => {
    await refused("src/config.ts", `import { AuditStore } from "./audit/store";${use("AuditStore")}`, importRule);
    await refused(
      "src/settings/x.ts",
      `import { GraphClient } from "../graph/client";${use("GraphClient")}`,
      importRule,
    );
    await refused(
      "src/errors.ts",
      `import { type AuditStore } from "./audit/store";\nexport type Used = AuditStore;\n`,
      importRule,
    );
    await refused(
      "src/settings/x.ts",
      `import { type GraphClient } from "../graph/client";\nexport type Used = GraphClient;\n`,
      importRule,
    );
    await accepted("src/settings/x.ts", `import { graphClouds } from "./clouds";${use("graphClouds")}`);
    await refused("src/jobs/x.ts", `import { makeJob } from "../../sandbox/tenant";${use("makeJob")}`, importRule);
    await refused("sandbox/x.ts", `import { startRig } from "../test/rig/rig";${use("startRig")}`, importRule);
  });
});

describe("the store is the one writer", () => {
  test("only src/audit/store imports @azure/data-tables: no TableClient, no raw write, not even odata, elsewhere", async () => {
    await refused(
      "src/audit/summaries/x.ts",
      `import { TableClient } from "@azure/data-tables";${use("TableClient")}`,
      importRule,
    );
    await refused("src/audit/redaction/x.ts", `import { odata } from "@azure/data-tables";${use("odata")}`, importRule);
    await refused(
      "src/audit/x.ts",
      `import { type TableClient } from "@azure/data-tables";\nexport type Used = TableClient;\n`,
      importRule,
    );
    await refused(
      "src/services.ts",
      `import { TableClient } from "@azure/data-tables";${use("TableClient")}`,
      importRule,
    );
    await refused("sandbox/x.ts", `import { TableClient } from "@azure/data-tables";${use("TableClient")}`, importRule);
    await accepted("src/audit/store/x.ts", `import { TableClient } from "@azure/data-tables";${use("TableClient")}`);
    await accepted(
      "src/audit/summaries/x.ts",
      `import { odata, AuditStore } from "../store";${use("[odata, AuditStore]")}`,
    );
  });
});

describe("the audit's folders", () => {
  test("outside its folder, a folder of the audit is used through its one public surface (index.ts)", async () => {
    await refused(
      "src/audit/summaries/x.ts",
      `import { isWriteConflict } from "../store/tableCalls";${use("isWriteConflict")}`,
      importRule,
    );
    await refused("src/audit/x.ts", `import { eventRows } from "./events/eventRows";${use("eventRows")}`, importRule);
    await refused("src/http/x.ts", `import { csvCell } from "../audit/read/csv";${use("csvCell")}`, importRule);
    await refused(
      "test/x.ts",
      `import { AuditStore } from "../src/audit/store/auditStore";${use("AuditStore")}`,
      importRule,
    );
    await accepted("src/audit/summaries/x.ts", `import { AuditStore } from "../store";${use("AuditStore")}`);
    await accepted("src/audit/store/x.ts", `import { fitEntity } from "./sizes";${use("fitEntity")}`);
    await accepted("src/http/x.ts", `import { csvCell } from "../audit/read";${use("csvCell")}`);
  });
});

describe("no import cycles", () => {
  const checkCycles = (...roots: string[]) =>
    spawnSync(process.execPath, [join(root, "scripts", "check-import-cycles.mjs"), ...roots], {
      cwd: root,
      encoding: "utf8",
    });

  test("src/ has none, type imports included (scripts/check-import-cycles.mjs, run by npm run lint and .ci/run)", () => {
    const run = checkCycles();
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /no import cycle among \d+ modules under src/);
  });

  test("a planted cycle is reported, even one closed by a type-only import through a folder's index.ts", () => {
    const dir = mkdtempSync(join(tmpdir(), "cycles-"));
    try {
      mkdirSync(join(dir, "store"));
      writeFileSync(join(dir, "kernel.ts"), `import { type Row } from "./store";\nexport type Counts = Row[];\n`);
      writeFileSync(join(dir, "store", "index.ts"), `export { type Row } from "./rows";\n`);
      writeFileSync(
        join(dir, "store", "rows.ts"),
        `import { type Counts } from "../kernel";\nexport type Row = Counts;\n`,
      );
      writeFileSync(join(dir, "leaf.ts"), `export const leaf = 1;\n`);
      const run = checkCycles(dir);
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /3 files import each other: .*kernel\.ts -> .*store\/index\.ts -> .*store\/rows\.ts -> .*kernel\.ts/,
      );
      assert.doesNotMatch(run.stderr, /leaf/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the sizes", () => {
  test("a file over 300 lines and a function over 60 are refused in src/ and sandbox/", async () => {
    const longFile = Array.from({ length: 301 }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    await refused("src/audit/x.ts", longFile, /max-lines: File has too many lines/);
    await refused("sandbox/x.ts", longFile, /max-lines: File has too many lines/);
    const body = Array.from({ length: 60 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    await refused("src/http/x.ts", `export function long(): void {\n${body}\n}\n`, /max-lines-per-function/);
    await accepted("src/http/x.ts", `export function fits(): void {\n${body.split("\n").slice(2).join("\n")}\n}\n`);
  });
});
