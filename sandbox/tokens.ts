/**
 * The sandbox's access tokens: JWT-shaped and unsigned, issued by the loopback identity endpoint and read by
 * the Universal Print simulator (audience, application roles, expiry).
 */
import { randomBytes } from "node:crypto";

export interface TokenClaims {
  aud: string;
  roles: string[];
  exp: number;
  oid?: string;
  tid?: string;
}

/** An unsigned JWT-shaped token: header.claims.signature, base64url. */
export function makeToken(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.${randomBytes(24).toString("base64url")}`;
}

/** Decodes the simulator's JWT-shaped tokens (issued by the loopback identity endpoint). */
export function decodeToken(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as TokenClaims;
    return typeof claims.aud === "string" && Array.isArray(claims.roles) ? claims : undefined;
  } catch {
    return undefined;
  }
}
