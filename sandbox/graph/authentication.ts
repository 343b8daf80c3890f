/** Graph's 401s: no token, a token it cannot read or meant for another audience, an expired token. */
import { type TokenClaims } from "../tokens";
import { graphError, type Answer } from "./answers";

/** Graph's refusal of the request's token, or undefined when the token is good for this audience. */
export function refuseToken(
  authorization: string | undefined,
  token: TokenClaims | undefined,
  audience: string,
): Answer | undefined {
  if (!authorization) return graphError(401, "InvalidAuthenticationToken", "Access token is empty.");
  if (!token)
    return graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
  if (token.aud.replace(/\/$/, "") !== audience) {
    return graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
  }
  if (token.exp * 1000 < Date.now())
    return graphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
  return undefined;
}
