/**
 * CSV that stays data in every spreadsheet (OWASP's CSV injection guidance): a spreadsheet may split a line
 * on `,`, on `;` (Excel in many European locales) or on tabs, and starts a cell after a line break too, so
 * a text cell is defused wherever one of those could start a cell, not only at its own start.
 */
import { visibleText } from "../../contract/visibleText";

/**
 * Where a spreadsheet may start a cell inside our text (its start, or just after a separator candidate, a
 * line break or a quote) followed, after spaces, by what makes that cell a formula: = + - @ (or their
 * fullwidth forms, which some locales read as the same), a tab or a carriage return.
 */
const formulaStart = /(?<=^|[,;\t\r\n"])(?=\p{Zs}*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r])/gu;
/** Separator candidates, the quote and line breaks: a cell holding any of them is quoted. */
const needsQuotes = /[",;\t\r\n]/;

/**
 * One CSV cell. Text: invisible characters shown as ⟨U+XXXX⟩ markers, a ' before every place a formula could
 * start (a spreadsheet takes a leading ' as "this is text"), quoted when it holds a separator, quote or line
 * break. Numbers and booleans are written as they are.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string") text = visibleText(text).replace(formulaStart, "'");
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
