/**
 * Power Platform's connector properties (connector/apiProperties.json) for one way to sign in. Every
 * pageable operation gets an updatenextlink policy: it rewrites the absolute nextLink onto the connection,
 * so page 2 is sent through the connector with the connection's key (or token) like page 1.
 */
import { type ConnectorAuth } from "./connectorAuth";
import { paths } from "./operations";
import { type Schema } from "./schema";

/** Built per call, as every part of the answer: a caller may change its copy. */
const functionKey = (): Schema => ({
  type: "securestring",
  uiDefinition: {
    displayName: "Function key",
    description:
      "A function key of the function app (Azure portal > the function app > App keys). Sent as the x-functions-key header.",
    tooltip: "Sent in the x-functions-key header, never in the URL.",
    constraints: { tabIndex: 2, clearText: false, required: "true" },
  },
});

function entraSignIn(auth: Extract<ConnectorAuth, { kind: "entra" }>): Schema {
  return {
    type: "oauthSetting",
    oAuthSettings: {
      identityProvider: "aad",
      clientId: auth.clientId,
      scopes: [],
      // Power Platform makes the per-connector redirect URL at creation (shown on the Security tab).
      redirectMode: "GlobalPerConnector",
      properties: { IsFirstParty: "False", AzureActiveDirectoryResourceId: auth.resource },
      customParameters: {
        loginUri: { value: "https://login.microsoftonline.com" },
        tenantId: { value: auth.tenant },
        resourceUri: { value: auth.resource },
      },
    },
    uiDefinition: {
      displayName: "Sign in with Microsoft Entra ID",
      description: "Sign in with your work account.",
      constraints: { required: "true" },
    },
  };
}

// The OAuth connection has no api_key security binding of its own: this policy sends its function key.
const sendFunctionKey = (): Schema => ({
  templateId: "setheader",
  title: "Send the function key",
  parameters: {
    "x-ms-apimTemplateParameter.name": "x-functions-key",
    "x-ms-apimTemplateParameter.value": "@connectionParameters('api_key')",
    "x-ms-apimTemplateParameter.existsAction": "override",
    "x-ms-apimTemplate-policySection": "Request",
  },
});

/** Operations whose answers carry a next-page link (x-ms-pageable), with that link's property name. */
export function pageableOperationIds(): { operationId: string; nextLinkName: string }[] {
  return Object.values(paths).flatMap((methods) =>
    Object.values(methods)
      .filter((op) => op["x-ms-pageable"] !== undefined)
      .map((op) => ({
        operationId: op.operationId as string,
        nextLinkName: (op["x-ms-pageable"] as { nextLinkName: string }).nextLinkName,
      })),
  );
}

/** One updatenextlink policy per next-link property name, naming every operation that uses it. */
function nextLinkPolicies(): Schema[] {
  const byNextLink = new Map<string, string[]>();
  for (const { operationId, nextLinkName } of pageableOperationIds())
    byNextLink.set(nextLinkName, [...(byNextLink.get(nextLinkName) ?? []), operationId]);
  return [...byNextLink].map(([nextLinkName, operations]) => ({
    templateId: "updatenextlink",
    title: "Send next-page links through the connection",
    parameters: {
      "x-ms-apimTemplate-operationName": operations,
      "x-ms-apimTemplateParameter.nextLinkPropertyName": nextLinkName,
    },
  }));
}

export function buildApiProperties(auth: ConnectorAuth = { kind: "key" }): Schema {
  const paging = nextLinkPolicies();
  const common = { iconBrandColor: "#0078D4", capabilities: [], publisher: "Universal Print Jobs" };
  if (auth.kind === "key") {
    return {
      properties: { ...common, connectionParameters: { api_key: functionKey() }, policyTemplateInstances: paging },
    };
  }
  return {
    properties: {
      ...common,
      connectionParameters: {
        // "token" is the name paconn looks for to put the --secret into.
        token: entraSignIn(auth),
        api_key: functionKey(),
      },
      policyTemplateInstances: [sendFunctionKey(), ...paging],
    },
  };
}
