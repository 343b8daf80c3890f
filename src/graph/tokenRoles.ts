/**
 * Which Microsoft Graph application roles the app's own token carries, so a 403 can say exactly what is missing.
 * The token is a JWT; only its `roles` and `iat` claims are read, and the token itself is never kept or logged.
 */
import { type AccessToken, type GetTokenOptions, type TokenCredential } from "@azure/core-auth";
import { requiredGraphPermissions, requiredGraphRoles } from "./permissions";

export interface TokenRoles {
  /** The token's application roles; empty when it has none. */
  roles: string[];
  /** When the token was issued (its `iat`), if it says. */
  issuedOnTimestamp?: number;
  expiresOnTimestamp: number;
}

/** The `roles` claim of a JWT access token; undefined when the token cannot be read as one (opaque to the app). */
export function rolesOfAccessToken(token: string): { roles: string[]; issuedOnTimestamp?: number } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) return undefined;
  const { roles, iat } = claims as { roles?: unknown; iat?: unknown };
  return {
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === "string") : [],
    // Seconds since 1970; anything outside 1970-5138 is not a date (and would not print as one).
    issuedOnTimestamp: typeof iat === "number" && iat > 0 && iat < 1e11 ? iat * 1000 : undefined,
  };
}

/** The roles the app needs that `held` lacks (all of them when nothing is known). */
export function missingGraphRoles(held: TokenRoles | undefined): string[] {
  return requiredGraphRoles.filter((role) => !held?.roles.includes(role));
}

/** A credential that remembers the roles of the last Graph token it handed out (never the token). */
export class TokenRoleWatcher implements TokenCredential {
  private last: TokenRoles | undefined;
  private unreadable = false;

  constructor(private readonly inner: TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options);
    if (token) {
      const read = rolesOfAccessToken(token.token);
      this.unreadable = read === undefined;
      this.last = read ? { ...read, expiresOnTimestamp: token.expiresOnTimestamp } : undefined;
    }
    return token;
  }

  /** The roles of the token in use; undefined before the first token, or when the token is not a readable JWT. */
  current(): TokenRoles | undefined {
    return this.unreadable ? undefined : this.last;
  }
}

/** The roles for a message: role values only (letters, digits, dots), at most 20. */
function describeRoles(roles: string[]): string {
  const shown = roles.filter((role) => /^[A-Za-z0-9._-]{1,100}$/.test(role)).slice(0, 20);
  return shown.length ? shown.join(", ") : "no roles";
}

const restartAdvice =
  "A managed identity's token is cached for up to about 24 hours, so roles granted after the app first asked for one " +
  "can take that long to reach it. Restart the function app (az functionapp restart, or Restart in the portal) to make it " +
  "ask for a new token at once; the platform may still hand out its cached token until it expires, and Microsoft offers " +
  "no way to force that sooner.";

/**
 * What to tell someone whose Graph call was refused (403): which roles the app's token lacks, how long a cached token
 * can take to pick up a grant, and how to make the app ask for a new one.
 */
export function graphAccessAdvice(held: TokenRoles | undefined): string {
  if (!held) {
    return (
      `The app needs the Microsoft Graph application roles ${requiredGraphPermissions} ` +
      `(npm run grant-graph-permissions; azd up's postprovision hook grants them when the deployer may). ${restartAdvice}`
    );
  }
  const missing = missingGraphRoles(held);
  if (missing.length === 0) {
    return (
      `The app's token carries ${requiredGraphPermissions}, so Graph refused for another reason: check that the ` +
      "tenant has a Universal Print subscription and that the printer or share belongs to the app's tenant."
    );
  }
  const issued = held.issuedOnTimestamp ? ` (issued ${new Date(held.issuedOnTimestamp).toISOString()})` : "";
  return (
    `The app needs the application roles ${requiredGraphPermissions}; its Graph token${issued} lacks ` +
    `${missing.join(" and ")} (it carries ${describeRoles(held.roles)}). Grant ${missing.length > 1 ? "them" : "it"} ` +
    `(npm run grant-graph-permissions). ${restartAdvice}`
  );
}
