import { type HttpRequest } from "@azure/functions";
import { getConfig } from "../config";

/** The route prefix of host.json (extensions.http.routePrefix); the Functions default. */
export const routePrefix = "api";

/**
 * The absolute base that precedes every route in links the app hands out (Location, nextLink), e.g.
 * https://func-x.azurewebsites.net/api. PUBLIC_BASE_URL wins (a gateway or custom domain in front);
 * otherwise the request's own scheme and host.
 */
export function apiBaseUrl(request: HttpRequest): string {
  const configured = getConfig().http.publicBaseUrl;
  if (configured) return configured;
  return `${new URL(request.url).origin}/${routePrefix}`;
}
