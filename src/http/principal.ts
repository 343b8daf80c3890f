/**
 * Who made a request, as recorded on an erasure: the principal App Service authentication vouches for (its
 * x-ms-client-principal header, which the platform sets and strips from callers), or else just "function key".
 * Without App Service authentication in front, any caller can send that header, so it is not read at all.
 */
import { type HttpRequest } from "@azure/functions";

export const functionKeyRequester = "function key";

interface ClientPrincipal {
  name_typ?: unknown;
  claims?: { typ?: unknown; val?: unknown }[];
}

const objectIdClaims = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const nameClaims = ["preferred_username", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"];
const appClaims = ["azp", "appid"];

/** The name and object id in the platform's principal header (base64 JSON), or undefined when it is absent or malformed. */
export function platformPrincipal(header: string | null): { name?: string; id?: string; app?: string } | undefined {
  if (!header || header.length > 16_384) return undefined;
  let parsed: ClientPrincipal;
  try {
    parsed = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as ClientPrincipal;
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed?.claims)) return undefined;
  const claim = (types: unknown[]): string | undefined => {
    for (const type of types) {
      const found = parsed.claims!.find((c) => c?.typ === type && typeof c.val === "string" && c.val !== "");
      if (found) return found.val as string;
    }
    return undefined;
  };
  const principal = {
    name: claim([parsed.name_typ, ...nameClaims]),
    id: claim(objectIdClaims),
    app: claim(appClaims),
  };
  return principal.name || principal.id || principal.app ? principal : undefined;
}

/** `principal <name> <object id>` when the platform signed the caller in and said who, else "function key". */
export function requesterOf(request: HttpRequest, platformAuthentication: boolean): string {
  if (!platformAuthentication) return functionKeyRequester;
  const principal = platformPrincipal(request.headers.get("x-ms-client-principal"));
  if (!principal) return functionKeyRequester;
  const who = principal.name || principal.id ? [principal.name, principal.id] : [`app ${principal.app}`];
  const shown = who
    .filter((v): v is string => !!v)
    .join(" ")
    .replace(/[^\w.@ -]/g, "_")
    .slice(0, 150);
  return `principal ${shown} with the admin key`;
}
