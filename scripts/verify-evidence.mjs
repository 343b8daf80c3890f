#!/usr/bin/env node
// Re-checks an evidence pack of the print audit with Node.js 20+ and node:crypto only (no dependencies, no access
// to the app or the storage account). Run it in the pack's folder: `node verify-evidence.mjs [folder]`.
// Prints the findings (rows altered, missing or slipped in) and exits 0 when the rows match the anchored digests.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const folder = process.argv[2] ?? ".";
const read = (name) => readFileSync(join(folder, name), "utf8");
const lines = (name) =>
  read(name)
    .split("\n")
    .filter((line) => line.trim() !== "");
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const dayMs = 86_400_000;
const openLookbackMs = 7 * dayMs;
const maxTimeMs = 9_999_999_999_999;

const facts = JSON.parse(read("evidence.json"));
const report = JSON.parse(read("report.json"));

// The anchored links, each distinct text once; a heal link counts only for a run whose opening is anchored.
const records = [];
for (const text of lines("links.jsonl")) {
  try {
    records.push({ record: JSON.parse(text), text });
  } catch {
    console.log(`an anchor line is not JSON: ${text.slice(0, 80)}`);
  }
}
const opened = new Set(
  records.filter((r) => r.record.type === "open").map((r) => `${r.record.printer}|${r.record.run}`),
);
const links = new Map();
for (const { record, text } of records) {
  if (record.type !== "link") continue;
  const unprovable = Date.parse(record.time) - openLookbackMs < facts.windowStartMs;
  if (record.kind === "heal" && !opened.has(`${record.printer}|${record.run}`) && !unprovable) continue;
  const key = `${record.printer}|${record.n}`;
  const hash = sha256(text);
  const list = links.get(key) ?? [];
  if (!list.some((l) => l.hash === hash)) list.push({ link: record, hash });
  links.set(key, list);
}

const findings = [];
const linkRowKey = (n) => `link|${String(999_999_999_999 - n).padStart(12, "0")}`;

// Each printer's chain: every link after its first in the window follows a link whose hash is its prev.
const first = new Map();
for (const list of links.values())
  for (const { link } of list) first.set(link.printer, Math.min(first.get(link.printer) ?? Infinity, link.n));
for (const list of links.values())
  for (const { link } of list) {
    if (link.n <= first.get(link.printer)) continue;
    const before = links.get(`${link.printer}|${link.n - 1}`) ?? [];
    if (!before.some((b) => b.hash === link.prev))
      findings.push({
        kind: "missing",
        table: facts.tables.integrity,
        partitionKey: link.printer,
        rowKey: linkRowKey(link.n - 1),
      });
  }

// Every row's leaf against the links' entries.
const expected = new Map();
for (const list of links.values())
  for (const { link } of list)
    for (const [table, rowKey, leaf] of link.entries) {
      const key = `${table}|${link.printer}|${rowKey}`;
      expected.set(key, (expected.get(key) ?? new Set()).add(leaf));
    }
const seen = new Set();
let rowsChecked = 0;
for (const text of lines("rows.jsonl")) {
  const row = JSON.parse(text);
  const key = `${row.table}|${row.partitionKey}|${row.rowKey}`;
  seen.add(key);
  rowsChecked++;
  const leaf = sha256(`upj-fact/1\n${JSON.stringify([row.table, row.partitionKey, row.rowKey, row.facts])}`);
  const finding = { table: facts.tables[row.table], partitionKey: row.partitionKey, rowKey: row.rowKey };
  const leaves = expected.get(key);
  if (!leaves) findings.push({ kind: "unexpected", ...finding });
  else if (!leaves.has(leaf)) findings.push({ kind: "altered", ...finding });
}
let removedByRetention = 0;
const retentionCutoffMs = facts.checkedMs - facts.retentionDays * dayMs;
for (const key of expected.keys()) {
  if (seen.has(key)) continue;
  const [table, partitionKey, ...rest] = key.split("|");
  const rowKey = rest.join("|");
  const createdMs = maxTimeMs - Number(rowKey.slice(0, 13));
  if (createdMs < facts.fromMs || createdMs >= facts.toMs) continue;
  if (createdMs < retentionCutoffMs) removedByRetention++;
  else findings.push({ kind: "missing", table: facts.tables[table], partitionKey, rowKey });
}

const intact = findings.length === 0;
console.log(
  `Print audit evidence, jobs created ${facts.from} to ${facts.to}: ${rowsChecked} row(s) checked against ` +
    `${[...links.values()].reduce((n, l) => n + l.length, 0)} anchored link(s); ${removedByRetention} removed by retention.`,
);
for (const f of findings) console.log(`${f.kind.toUpperCase()}  ${f.table}  ${f.partitionKey}  ${f.rowKey}`);
console.log(intact ? "INTACT: every row matches the anchored digests." : `NOT INTACT: ${findings.length} finding(s).`);
const reported = report.findings.filter((f) => f.table !== facts.tables.integrity).length;
const mine = findings.filter((f) => f.table !== facts.tables.integrity).length;
if (reported !== mine) console.log(`Note: the app's report names ${reported} row finding(s), this check ${mine}.`);
process.exitCode = intact ? 0 : 1;
