/** The OData query options the simulator honours as Graph does: $select, and paging by $top and $skiptoken. */
import { graphHost, type Answer } from "./answers";

export function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}

/** The item with only the $select properties (and always its id). */
export function select<T extends Record<string, unknown>>(
  item: T,
  selectParam: string | null,
): Record<string, unknown> {
  return selectParam ? pick(item, ["id", ...selectParam.split(",")]) : { ...item };
}

/** Where the next page is (the simulator's Graph base URL) and how many items a page holds at most. */
export interface Paging {
  baseUrl: string;
  pageSize: number;
}

/** One page of a collection; @odata.nextLink carries the query with the next $skiptoken. */
export function page<T>(
  items: T[],
  { baseUrl, pageSize }: Paging,
  path: string,
  query: URLSearchParams,
  render: (item: T) => unknown,
): Answer {
  const top = query.has("$top") ? Math.max(1, Math.min(Number(query.get("$top")) || pageSize, pageSize)) : pageSize;
  const skip = query.has("$skiptoken") ? Number(Buffer.from(query.get("$skiptoken")!, "base64url").toString()) || 0 : 0;
  const slice = items.slice(skip, skip + top);
  const body: Record<string, unknown> = {
    "@odata.context": `${graphHost}/v1.0/$metadata#Collection`,
    value: slice.map(render),
  };
  if (skip + top < items.length) {
    const nextQuery = new URLSearchParams(query);
    nextQuery.set("$skiptoken", Buffer.from(String(skip + top)).toString("base64url"));
    body["@odata.nextLink"] = `${baseUrl}${path}?${nextQuery.toString()}`;
  }
  return { status: 200, body };
}
