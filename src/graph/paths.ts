import { GraphError } from "../errors";
import { isLoopbackHttpUrl } from "./policies/loopbackHttpPolicy";

/** Reference to one print job, through its printer or through a printer share. */
export type PrintJobRef =
  { printerId: string; jobId: string; shareId?: undefined } | { shareId: string; jobId: string; printerId?: undefined };

/** The Graph path of one job; every segment is encoded, so an id can never leave its segment. */
export function printJobPath(ref: PrintJobRef): string {
  const parent =
    ref.printerId !== undefined
      ? `printers/${encodeURIComponent(ref.printerId)}`
      : `shares/${encodeURIComponent(ref.shareId)}`;
  return `/print/${parent}/jobs/${encodeURIComponent(ref.jobId)}`;
}

/** Whether an id can be put in a URL: a lone surrogate (text that is not UTF-16) cannot be percent-encoded. */
export function isAddressable(id: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(id);
}

/** An OData query string from the options that are set ("" when none). */
export function odataQuery(options: Record<string, readonly string[] | string | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const text = Array.isArray(value) ? value.join(",") : (value as string);
    parts.push(`${name}=${encodeURIComponent(text).replace(/%2C/g, ",")}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/** A path without its query, for messages (a query could carry a user's name in a filter). */
export function describePath(pathOrUrl: string): string {
  const path = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl;
  return path.split("?")[0]!;
}

/** A URL on this Graph from a path relative to the base (a nextLink is taken verbatim, but only on the same host). */
export function resolveGraphUrl(baseUrl: string, pathOrUrl: string): string {
  if (/^https?:\/\//i.test(pathOrUrl)) {
    const url = new URL(pathOrUrl);
    const origin = new URL(baseUrl).origin;
    // A nextLink must never carry our token to another host.
    if (url.origin !== origin && !(isLoopbackHttpUrl(url) && url.host === new URL(origin).host)) {
      throw new GraphError(`Microsoft Graph returned a link to another host (${url.host}); it was not followed.`, {
        kind: "invalidResponse",
        code: "foreignLink",
      });
    }
    return url.toString();
  }
  return `${baseUrl}${pathOrUrl.startsWith("/") ? "" : "/"}${pathOrUrl}`;
}
