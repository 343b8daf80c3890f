/** What the viewer keeps between views: the applied filter, the pages of jobs seen, the printers and users learned. */
import { type AuditRow } from "../contract/auditAnswers";
import { type JobFilter } from "./api";

/**
 * The jobs come from the server a page at a time (each job once, in its latest state, newest first);
 * the pages seen are kept per filter, so Newer and Older and the browser's Back need no new request.
 */
interface Pages {
  key: string;
  /** Page i's rows and the token of page i + 1 (undefined: page i is the last). */
  pages: { rows: AuditRow[]; next?: string }[];
}

export const state = {
  filter: {} as JobFilter,
  top: 25,
  page: 0,
  /** The applied filter's fields as typed (dates as YYYY-MM-DD). */
  form: {} as Record<string, string>,
  /** Which pager button gets the focus after a page change. */
  focusAfterPaging: undefined as "older" | "newer" | undefined,
  pages: undefined as Pages | undefined,
  printers: new Map<string, string>(),
  users: new Set<string>(),
  /** What to run again once a key is given. */
  retry: undefined as (() => void) | undefined,
  /** Stale answers (the person moved on) are dropped. */
  generation: 0,
};
