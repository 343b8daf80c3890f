import { type HttpRequest } from "@azure/functions";
import { getConfig } from "../config";

/** The route prefix of host.json (extensions.http.routePrefix); the Functions default. */
export const routePrefix = "api";

/**
 * The absolute base that precedes every route in links the app hands out (Location, the served OpenAPI
 * host), e.g. https://func-x.azurewebsites.net/api. PUBLIC_BASE_URL wins (a custom domain or gateway in
 * front): an origin such as https://print.contoso.com gets /api, as the request path has; a base with a
 * path is taken as it is. Otherwise the request's own scheme and host.
 */
export function apiBaseUrl(request: HttpRequest): string {
  const configured = getConfig().http.publicBaseUrl;
  if (configured)
    return new URL(configured).pathname.replace(/\/+$/, "") === "" ? `${configured}/${routePrefix}` : configured;
  return `${new URL(request.url).origin}/${routePrefix}`;
}
