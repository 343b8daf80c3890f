/**
 * Every KQL query the app ships or documents, read from where it lives: the workbook's items and parameters
 * (infra/workbook), the query pack (infra/queries/querypack.json), the alert rules (infra/queries/*.kql) and the
 * ```kusto blocks of README.md and docs/. Placeholders are filled as the workbook and the Bicep fill them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../sandbox/host/functionApp";

export interface ShippedQuery {
  /** Where it lives and which one, e.g. "workbook: graph latency". */
  name: string;
  text: string;
}

interface WorkbookItem {
  type: number;
  name: string;
  content: { query?: string; parameters?: { name: string; query?: string }[] };
}

const root = repoRoot();
const read = (...path: string[]): string => readFileSync(join(root, ...path), "utf8");

/** The workbook's serialized data, as infra/modules/workbook.bicep deploys it (before the viewer URL is filled in). */
export function workbookData(): { version: string; items: WorkbookItem[]; fallbackResourceIds: string[] } {
  return JSON.parse(read("infra", "workbook", "audit.workbook.json")) as ReturnType<typeof workbookData>;
}

/** What the workbook puts in place of its parameters: every printer ('*', the "All" choice) and an hourly grain. */
function fillWorkbookParameters(query: string): string {
  return query.replaceAll("{Printer}", "'*'").replaceAll("{TimeRange:grain}", "1h");
}

export function workbookQueries(): ShippedQuery[] {
  const queries: ShippedQuery[] = [];
  for (const item of workbookData().items) {
    if (item.type === 3 && item.content.query)
      queries.push({ name: `workbook: ${item.name}`, text: fillWorkbookParameters(item.content.query) });
    for (const parameter of item.content.parameters ?? [])
      if (parameter.query)
        queries.push({ name: `workbook parameter: ${parameter.name}`, text: fillWorkbookParameters(parameter.query) });
  }
  return queries;
}

export function queryPackQueries(): ShippedQuery[] {
  const pack = JSON.parse(read("infra", "queries", "querypack.json")) as { id: string; body: string }[];
  return pack.map((query) => ({ name: `query pack: ${query.id}`, text: query.body }));
}

/** The alert rules' queries, with the values infra/modules/alerts.bicep puts in (its defaults from main.bicep). */
export function alertQueries(): ShippedQuery[] {
  return readdirSync(join(root, "infra", "queries"))
    .filter((file) => file.endsWith(".kql"))
    .map((file) => ({
      name: `alert: ${file}`,
      text: read("infra", "queries", file)
        .replaceAll("__AUDIT_FUNCTIONS__", "'auditTimer', 'auditPrinter'")
        .replaceAll("__STALE_MINUTES__", "120"),
    }));
}

/** Each query of each ```kusto block in the docs: queries are separated by blank lines; comment-only parts are skipped. */
export function documentedQueries(): ShippedQuery[] {
  const files = ["README.md", ...readdirSync(join(root, "docs")).map((file) => join("docs", file))];
  const queries: ShippedQuery[] = [];
  for (const file of files.filter((f) => f.endsWith(".md"))) {
    const blocks = [...read(file).matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1]!);
    blocks.forEach((block, b) =>
      block
        .split(/\n\s*\n/)
        .filter((part) => part.split("\n").some((line) => line.trim() && !line.trim().startsWith("//")))
        .forEach((text, q) => queries.push({ name: `${file} block ${b + 1} query ${q + 1}`, text })),
    );
  }
  return queries;
}

export function allShippedQueries(): ShippedQuery[] {
  return [...workbookQueries(), ...queryPackQueries(), ...alertQueries(), ...documentedQueries()];
}

/** The named events a query reads (`message startswith '{"event":"Name"'`) and the dimensions it reads of them (`e.name`). */
export function eventReads(query: string): { events: string[]; dimensions: string[] } {
  const events = [...query.matchAll(/'\{"event":"(\w+)"'/g)].map((m) => m[1]!);
  const dimensions = [...query.matchAll(/\be\.(\w+)/g)].map((m) => m[1]!).filter((d) => d !== "event");
  return { events: [...new Set(events)], dimensions: [...new Set(dimensions)] };
}
