/**
 * The read API's continuation tokens: which query a token belongs to (a hash of the plan, or of the scan's
 * filter) and where the reading stands. The partitions and filters always come from the caller's query, never
 * from the token, so an altered token can only move the reading within the caller's own question.
 *
 *   ix1.<base64url JSON>   the indexes: each partition's cursor
 *   sc1.<base64url JSON>   the old scan (while the backfill runs): the service page's token and the next row's keys
 */
import { createHash } from "node:crypto";
import { isValidKey } from "../keys";
import { isContinuationToken } from "../store";
import { type Cursor, type ReadPlan } from "./readPlan";
import { InputError } from "../../errors";

const indexPrefix = "ix1.";
const scanPrefix = "sc1.";
const maxTokenLength = 8192;

export function isIndexToken(token: string): boolean {
  return token.startsWith(indexPrefix);
}

export function isScanToken(token: string): boolean {
  return token.startsWith(scanPrefix);
}

/** Light check at parse time: shape and size only (the plan check follows when the plan is known). */
export function isWellFormedIndexToken(token: string): boolean {
  return token.length <= maxTokenLength && /^(ix1|sc1)\.[A-Za-z0-9_-]+$/.test(token);
}

function notHandedOut(): InputError {
  return new InputError(
    "continuationToken",
    "continuationToken is not one this API handed out; start again without it.",
  );
}

function ofAnotherQuery(): InputError {
  return new InputError(
    "continuationToken",
    "continuationToken belongs to another query; send it with the same options as the page that gave it, or start again without it.",
  );
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 16);
}

function planHash(plan: ReadPlan): string {
  return digest(JSON.stringify([plan.table, plan.partitions, plan.low ?? null, plan.high ?? null, plan.extra ?? null]));
}

function tokenOf(prefix: string, body: unknown): string {
  return `${prefix}${Buffer.from(JSON.stringify(body)).toString("base64url")}`;
}

function bodyOf<T>(prefix: string, token: string): T {
  try {
    return JSON.parse(Buffer.from(token.slice(prefix.length), "base64url").toString("utf8")) as T;
  } catch {
    throw notHandedOut();
  }
}

/** The token of a merged read: the plan's hash and each partition's position. */
export function encodeIndexToken(plan: ReadPlan, cursors: Cursor[]): string {
  const c = cursors.map((x) =>
    x.at === "start"
      ? 0
      : x.at === "done"
        ? 1
        : x.at === "service"
          ? `~${x.token}`
          : `${x.at === "gt" ? ">" : "="}${x.key}`,
  );
  return tokenOf(indexPrefix, { p: planHash(plan), c });
}

export function decodeIndexToken(plan: ReadPlan, token: string): Cursor[] {
  const parsed = bodyOf<{ p?: unknown; c?: unknown }>(indexPrefix, token);
  if (parsed.p !== planHash(plan) || !Array.isArray(parsed.c) || parsed.c.length !== plan.partitions.length) {
    throw ofAnotherQuery();
  }
  return parsed.c.map((x): Cursor => {
    if (x === 0) return { at: "start" };
    if (x === 1) return { at: "done" };
    if (typeof x === "string" && (x[0] === ">" || x[0] === "=") && isValidKey(x.slice(1)))
      return { at: x[0] === ">" ? "gt" : "ge", key: x.slice(1) };
    if (typeof x === "string" && x[0] === "~" && isContinuationToken(x.slice(1)))
      return { at: "service", token: x.slice(1) };
    throw notHandedOut();
  });
}

/** Where a scan goes on: the service token its page was read with (none for the first page) and the next row's keys. */
export interface ScanPosition {
  t?: string;
  pk: string;
  rk: string;
}

export function encodeScanToken(
  filter: string | undefined,
  at: { t: string | null; pk?: string; rk?: string },
): string {
  return tokenOf(scanPrefix, { p: digest(filter ?? ""), t: at.t, pk: at.pk, rk: at.rk });
}

export function decodeScanToken(filter: string | undefined, token: string): ScanPosition {
  const parsed = bodyOf<{ p?: unknown; t?: unknown; pk?: unknown; rk?: unknown }>(scanPrefix, token);
  if (parsed.p !== digest(filter ?? "")) throw ofAnotherQuery();
  const serviceToken = parsed.t === null ? undefined : parsed.t;
  if (
    typeof parsed.pk !== "string" ||
    typeof parsed.rk !== "string" ||
    !isValidKey(parsed.pk) ||
    !isValidKey(parsed.rk) ||
    (serviceToken !== undefined && (typeof serviceToken !== "string" || !isContinuationToken(serviceToken)))
  ) {
    throw notHandedOut();
  }
  return { ...(serviceToken !== undefined ? { t: serviceToken as string } : {}), pk: parsed.pk, rk: parsed.rk };
}
