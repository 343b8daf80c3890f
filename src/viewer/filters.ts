/**
 * The filter form: the applied filter in the address (#/jobs?state=aborted&page=2) and back, the scope it
 * shows, and the printers and users the audit has shown so far as the form's choices.
 */
import { type AuditRow } from "../contract/auditAnswers";
import { type JobFilter } from "./api";
import { byId, h, replace } from "./dom";
import { printerLabel, text } from "./rows";
import { state } from "./state";

function localMidnight(date: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  // The end of a day is the last millisecond before the next midnight.
  return new Date(
    new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).getTime() - (addDays ? 1 : 0),
  ).toISOString();
}

const filterFields = ["printer", "from", "to", "state", "user", "top"] as const;

/** The applied filter as the form holds it, for the address (#/jobs?state=aborted&page=2): links can be shared and Back works. */
export function filterQuery(page = state.page): string {
  const params = new URLSearchParams();
  for (const name of filterFields) {
    const value = state.form[name];
    if (value && !(name === "top" && value === "25")) params.set(name, value);
  }
  if (page > 0) params.set("page", String(page + 1));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Fills the form from the address's filter. */
export function fillForm(params: URLSearchParams): void {
  const form = byId<HTMLFormElement>("filters");
  for (const name of filterFields) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (!field) continue;
    const value = params.get(name) ?? (name === "top" ? "25" : "");
    if (field instanceof HTMLSelectElement && value && ![...field.options].some((o) => o.value === value)) {
      // A printer this page has not seen yet: keep it selectable until its name is learned.
      field.append(h("option", { value }, value));
    }
    field.value = value;
  }
}

/** The filter the form holds now. */
export function formFilter(): { form: Record<string, string>; filter: JobFilter; top: number } {
  const data = new FormData(byId<HTMLFormElement>("filters"));
  const get = (name: string): string | undefined => {
    const value = String(data.get(name) ?? "").trim();
    return value === "" ? undefined : value;
  };
  return {
    form: Object.fromEntries(filterFields.map((name) => [name, get(name) ?? ""])),
    filter: {
      printerId: get("printer"),
      from: localMidnight(get("from") ?? ""),
      to: localMidnight(get("to") ?? "", 1),
      state: get("state"),
      user: get("user"),
    },
    top: Number(get("top") ?? 25),
  };
}

export function readFilters(): void {
  Object.assign(state, formFilter());
}

export function filterIsEmpty(): boolean {
  return Object.values(state.filter).every((v) => v === undefined);
}

export function showScope(): string {
  const scope = scopeText();
  replace(byId("filters-summary"), scope);
  return scope;
}

export function scopeText(): string {
  const f = state.filter;
  const parts: string[] = [];
  if (f.printerId) parts.push(`printer ${state.printers.get(f.printerId) ?? f.printerId}`);
  if (f.state) parts.push(`state ${f.state}`);
  if (f.user) parts.push(`user ${f.user}`);
  const from = byId<HTMLInputElement>("f-from").value;
  const to = byId<HTMLInputElement>("f-to").value;
  if (from || to) parts.push(`${from || "…"} to ${to || "…"}`);
  return parts.length ? `(${parts.join(", ")})` : "(all)";
}

function listPrinters(): void {
  const select = byId<HTMLSelectElement>("f-printer");
  const chosen = select.value;
  const options = [...state.printers.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  replace(
    select,
    h("option", { value: "" }, "All printers"),
    options.map(([id, name]) => h("option", { value: id }, name)),
  );
  select.value = chosen;
}

function suggestUsers(): void {
  let list = document.getElementById("users");
  if (!list) {
    list = h("datalist", { id: "users" });
    document.body.append(list);
    byId("f-user").setAttribute("list", "users");
  }
  // The label is shown with markers for invisible characters; the value stays exact for the filter.
  replace(
    list,
    [...state.users].sort().map((u) => h("option", { value: u, label: u })),
  );
}

/** Printers and users seen in the audit, for the printer list and the user suggestions. */
export function learn(rows: readonly AuditRow[]): void {
  let added = false;
  for (const row of rows) {
    const id = text(row.PrinterId);
    if (id && !state.printers.has(id)) {
      state.printers.set(id, printerLabel(row));
      added = true;
    }
    const user = text(row.CreatedBy);
    if (user) state.users.add(user);
  }
  if (!added) return;
  listPrinters();
  suggestUsers();
}
