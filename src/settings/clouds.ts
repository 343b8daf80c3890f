/** The Microsoft Graph national clouds the app can run in, and the hosts that go with each. */
export type GraphCloudName = "global" | "usgov" | "usgovdod" | "china";

export interface GraphCloud {
  name: GraphCloudName;
  /** Graph's host, e.g. https://graph.microsoft.com */
  graphHost: string;
  /** Entra ID authority host for the same cloud (tokens are not interchangeable between clouds). */
  authorityHost: string;
  /** Whether Universal Print's APIs exist in this cloud (they do not in China, operated by 21Vianet). */
  printSupported: boolean;
}

export const graphClouds: Readonly<Record<GraphCloudName, GraphCloud>> = {
  global: {
    name: "global",
    graphHost: "https://graph.microsoft.com",
    authorityHost: "https://login.microsoftonline.com",
    printSupported: true,
  },
  usgov: {
    name: "usgov",
    graphHost: "https://graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
    printSupported: true,
  },
  usgovdod: {
    name: "usgovdod",
    graphHost: "https://dod-graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
    printSupported: true,
  },
  china: {
    name: "china",
    graphHost: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    printSupported: false,
  },
};

export function isGraphCloudName(value: string): value is GraphCloudName {
  return Object.prototype.hasOwnProperty.call(graphClouds, value);
}

/** The token scope for Graph in a cloud: the resource's `/.default`. */
export function graphScope(cloud: GraphCloud): string {
  return `${cloud.graphHost}/.default`;
}
