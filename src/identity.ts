import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { type TokenCredential } from "@azure/core-auth";
import { type AppConfig } from "./config";

/**
 * The app's one credential: the managed identity in Azure (AZURE_CLIENT_ID picks a user-assigned one;
 * the platform's IDENTITY_ENDPOINT/IDENTITY_HEADER are read by @azure/identity itself), or, when
 * CREDENTIAL_MODE=developer, the developer chain (Azure CLI, azd, VS Code...) for local runs against a tenant.
 */
export function createCredential(config: AppConfig): TokenCredential {
  const { mode, clientId } = config.credential;
  const authorityHost = config.graph.cloud.authorityHost;
  if (mode === "developer") {
    return new DefaultAzureCredential({ authorityHost, managedIdentityClientId: clientId });
  }
  return clientId
    ? new ManagedIdentityCredential({ clientId, authorityHost })
    : new ManagedIdentityCredential({ authorityHost });
}
