import { type HttpRequest } from "@azure/functions";
import { apiBaseUrl } from "./links";

/**
 * The same route and options with a new cursor (as the audit encodes it): the feed's @odata.nextLink and a
 * trigger's Location. On PUBLIC_BASE_URL or the request's origin; never the function key (`code`): a link is
 * logged and shared more readily than a header, and the connector sends the key as a header on every call.
 */
export function cursorLink(request: HttpRequest, route: string, cursor: string): string {
  const next = new URL(`${apiBaseUrl(request)}/${route}`);
  for (const [name, value] of request.query)
    if (name !== "cursor" && name !== "since" && name !== "code") next.searchParams.append(name, value);
  next.searchParams.set("cursor", cursor);
  return next.toString();
}
