/**
 * The sign-in a connector is exported for, and how the definition declares it (securityDefinitions and
 * security). Power Platform takes one way per connector.
 */
import { type Schema } from "./schema";

/**
 * The function key, or Microsoft Entra ID (App Service authentication checks the token, then the Functions
 * host the key).
 */
export type ConnectorAuth =
  | { kind: "key" }
  | {
      kind: "entra";
      /** Client id of the connector's own app registration (the one Power Platform signs in with). */
      clientId: string;
      /** Tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com. */
      tenant: string;
      /** The function app's Entra app: its client id or App ID URI (api://...), the token's audience. */
      resource: string;
    };

export function securityFor(auth: ConnectorAuth): Schema {
  if (auth.kind === "key") {
    return {
      securityDefinitions: {
        functionKey: {
          type: "apiKey",
          in: "header",
          name: "x-functions-key",
          description:
            "A function key (or the host key) of the function app: Azure portal > the function app > App keys.",
        },
      },
      security: [{ functionKey: [] }],
    };
  }
  const authority = `https://login.microsoftonline.com/${encodeURIComponent(auth.tenant)}/oauth2`;
  return {
    securityDefinitions: {
      entra: {
        type: "oauth2",
        flow: "accessCode",
        authorizationUrl: `${authority}/authorize`,
        tokenUrl: `${authority}/token`,
        scopes: {},
        description:
          "Microsoft Entra ID, for a function app deployed with enableEntraAuth=true (App Service authentication).",
      },
    },
    security: [{ entra: [] }],
  };
}
