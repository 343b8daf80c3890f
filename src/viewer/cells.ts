/** Pieces the views' tables share: a row of column heads, a state's badge, and who printed a job. */
import { type AuditRow } from "../contract/auditAnswers";
import { h, type Child } from "./dom";
import { stateClass, text } from "./rows";

/** A table's head: one column head per name, the numeric ones aligned as numbers. */
export function columnHeads(
  names: readonly string[],
  numeric: (index: number) => boolean = () => false,
): HTMLTableSectionElement {
  return h(
    "thead",
    {},
    h(
      "tr",
      {},
      names.map((name, i) => h("th", { scope: "col", class: numeric(i) ? "num" : null }, name)),
    ),
  );
}

export function badge(stateName: string): HTMLElement {
  return h("span", { class: `badge ${stateClass(stateName)}` }, stateName);
}

export function userCell(row: AuditRow): Child {
  const name = text(row.CreatedByName);
  const upn = text(row.CreatedBy);
  if (name && upn) return [name, h("span", { class: "sub" }, upn)];
  return name ?? upn ?? text(row.CreatedById) ?? "—";
}
