import { type TokenCredential } from "@azure/core-auth";
import { GraphError } from "./graphError";

/** What anyone is told when the app gets no token for Graph, with what to check (`reason`: the failure's name). */
export function noGraphTokenMessage(reason?: string): string {
  return (
    `The function app's managed identity could not get a token for Microsoft Graph${reason ? ` (${reason})` : ""}. ` +
    "Check that its managed identity is enabled (and that AZURE_CLIENT_ID, if set, names a user-assigned identity " +
    "attached to the app)."
  );
}

/** @azure/identity's failures to get a token, told apart by name (the Graph room never imports @azure/identity). */
export function isCredentialError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return (
    name === "CredentialUnavailableError" || name === "AuthenticationError" || name === "AggregateAuthenticationError"
  );
}

/**
 * The token request gets the same per-try bound as a Graph request: a managed-identity endpoint that does
 * not answer becomes a `credential` failure the caller can act on, not a wait until the HTTP deadline.
 */
export function credentialWithTimeout(credential: TokenCredential, timeoutInMs: number): TokenCredential {
  return {
    async getToken(scopes, options) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(credentialTimeoutError(timeoutInMs)), timeoutInMs);
      });
      try {
        return await Promise.race([credential.getToken(scopes, options), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function credentialTimeoutError(timeoutInMs: number): GraphError {
  return new GraphError(`The app's identity did not hand out a token for Microsoft Graph within ${timeoutInMs} ms.`, {
    kind: "credential",
    code: "credentialTimeout",
  });
}
