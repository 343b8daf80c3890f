// A loopback fake of the Microsoft Graph directory endpoints the grant script calls:
//   GET  /v1.0/servicePrincipals(appId='{appId}')
//   GET  /v1.0/servicePrincipals/{id}
//   GET  /v1.0/servicePrincipals?$filter=displayName eq '{name}' and servicePrincipalType eq 'ManagedIdentity'
//   GET  /v1.0/servicePrincipals/{id}/appRoleAssignments      (paged with @odata.nextLink)
//   POST /v1.0/servicePrincipals/{id}/appRoleAssignments
// `handle` can also be mounted in another server (the Universal Print simulator) in front of its own routes.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

export const graphAppId = "00000003-0000-0000-c000-000000000000";

export interface FakeAppRole {
  id: string;
  value: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: "Application" | "ManagedIdentity";
  appRoles: FakeAppRole[];
}

export interface FakeAppRoleAssignment {
  id: string;
  principalId: string;
  principalDisplayName: string;
  principalType: "ServicePrincipal";
  resourceId: string;
  resourceDisplayName: string;
  appRoleId: string;
  createdDateTime: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

/**
 * none: everything allowed. writes: reads work, creating an assignment is denied (a deployer without
 * Privileged Role Administrator). all: every call is denied (a deployer who may not even read the directory).
 */
export type DenyMode = "none" | "writes" | "all";

export interface GraphDirectory {
  /** Graph base with the version, e.g. http://127.0.0.1:1234/v1.0 */
  baseUrl: string;
  servicePrincipals: FakeServicePrincipal[];
  assignments: FakeAppRoleAssignment[];
  requests: RecordedRequest[];
  deny: DenyMode;
  /** Page size of appRoleAssignments lists. */
  pageSize: number;
  graphServicePrincipal: FakeServicePrincipal;
  /** Adds a managed identity's service principal and returns it. */
  addManagedIdentity(displayName: string, id?: string): FakeServicePrincipal;
  /** Answers a request if it is one of the routes above; false lets the caller route it. */
  handle(req: IncomingMessage, res: ServerResponse, body: string): boolean;
  close(): Promise<void>;
}

// Distinct from the real ids on purpose: the script must resolve roles by value, never by a hard-coded id.
function graphServicePrincipal(): FakeServicePrincipal {
  const role = (value: string, allowedMemberTypes = ["Application"]): FakeAppRole => ({
    id: randomUUID(),
    value,
    allowedMemberTypes,
    isEnabled: true,
  });
  return {
    id: randomUUID(),
    appId: graphAppId,
    displayName: "Microsoft Graph",
    servicePrincipalType: "Application",
    appRoles: [
      role("PrintJob.Read.All"),
      role("PrintJob.ReadBasic.All"),
      role("PrintJob.ReadWrite.All"),
      role("Printer.Read.All"),
      role("Printer.ReadWrite.All"),
      role("User.Read.All"),
    ],
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "request-id": randomUUID() });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, {
    error: { code, message, innerError: { "request-id": randomUUID(), date: new Date().toISOString().slice(0, 19) } },
  });
}

function select<T extends object>(item: T, query: URLSearchParams): Partial<T> {
  const fields = query.get("$select");
  if (!fields) return item;
  const wanted = new Set(fields.split(","));
  return Object.fromEntries(Object.entries(item).filter(([key]) => wanted.has(key))) as Partial<T>;
}

export async function startGraphDirectory(): Promise<GraphDirectory> {
  const graphSp = graphServicePrincipal();

  const directory: GraphDirectory = {
    baseUrl: "",
    servicePrincipals: [graphSp],
    assignments: [],
    requests: [],
    deny: "none",
    pageSize: 100,
    graphServicePrincipal: graphSp,
    addManagedIdentity(displayName, id = randomUUID()) {
      const sp: FakeServicePrincipal = {
        id,
        appId: randomUUID(),
        displayName,
        servicePrincipalType: "ManagedIdentity",
        appRoles: [],
      };
      directory.servicePrincipals.push(sp);
      return sp;
    },
    handle(req, res, body) {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = decodeURIComponent(url.pathname);
      if (!path.startsWith("/v1.0/servicePrincipals")) return false;
      directory.requests.push({
        method: req.method ?? "",
        path: `${path}${url.search}`,
        authorization: req.headers.authorization,
      });

      if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) {
        sendError(res, 401, "InvalidAuthenticationToken", "Access token is empty.");
        return true;
      }
      if (directory.deny === "all" || (directory.deny === "writes" && req.method !== "GET")) {
        sendError(res, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        return true;
      }
      const byId = (id: string): FakeServicePrincipal | undefined =>
        directory.servicePrincipals.find((sp) => sp.id === id);
      const notFound = (id: string): void =>
        sendError(
          res,
          404,
          "Request_ResourceNotFound",
          `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
        );

      let m = /^\/v1\.0\/servicePrincipals\(appId='([^']+)'\)$/.exec(path);
      if (m && req.method === "GET") {
        const sp = directory.servicePrincipals.find((s) => s.appId === m![1]);
        if (sp) sendJson(res, 200, select(sp, url.searchParams));
        else notFound(m[1]);
        return true;
      }
      if (path === "/v1.0/servicePrincipals" && req.method === "GET") {
        const filter = url.searchParams.get("$filter") ?? "";
        const f = /^displayName eq '((?:[^']|'')*)' and servicePrincipalType eq 'ManagedIdentity'$/.exec(filter);
        if (!f) {
          sendError(res, 400, "Request_UnsupportedQuery", `Unsupported query: ${filter}`);
          return true;
        }
        const name = f[1].replace(/''/g, "'");
        const value = directory.servicePrincipals
          .filter((sp) => sp.displayName === name && sp.servicePrincipalType === "ManagedIdentity")
          .map((sp) => select(sp, url.searchParams));
        sendJson(res, 200, { "@odata.context": `${directory.baseUrl}/$metadata#servicePrincipals`, value });
        return true;
      }
      m = /^\/v1\.0\/servicePrincipals\/([^/]+)$/.exec(path);
      if (m && req.method === "GET") {
        const sp = byId(m[1]);
        if (sp) sendJson(res, 200, select(sp, url.searchParams));
        else notFound(m[1]);
        return true;
      }
      m = /^\/v1\.0\/servicePrincipals\/([^/]+)\/appRoleAssignments$/.exec(path);
      if (m) {
        const principal = byId(m[1]);
        if (!principal) {
          notFound(m[1]);
          return true;
        }
        if (req.method === "GET") {
          const all = directory.assignments.filter((a) => a.principalId === principal.id);
          const skip = Number(url.searchParams.get("$skiptoken") ?? "0");
          const value = all.slice(skip, skip + directory.pageSize);
          const next =
            skip + directory.pageSize < all.length
              ? `${directory.baseUrl}/servicePrincipals/${principal.id}/appRoleAssignments?$skiptoken=${skip + directory.pageSize}`
              : undefined;
          sendJson(res, 200, { value, ...(next ? { "@odata.nextLink": next } : {}) });
          return true;
        }
        if (req.method === "POST") {
          let input: { principalId?: string; resourceId?: string; appRoleId?: string };
          try {
            input = JSON.parse(body) as typeof input;
          } catch {
            sendError(res, 400, "BadRequest", "Unable to read JSON request payload.");
            return true;
          }
          const resource = input.resourceId ? byId(input.resourceId) : undefined;
          const role = resource?.appRoles.find(
            (r) => r.id === input.appRoleId && r.allowedMemberTypes.includes("Application"),
          );
          if (input.principalId !== principal.id || !resource || !role) {
            sendError(res, 400, "Request_BadRequest", "Invalid principalId, resourceId or appRoleId.");
            return true;
          }
          if (
            directory.assignments.some(
              (a) => a.principalId === principal.id && a.resourceId === resource.id && a.appRoleId === role.id,
            )
          ) {
            sendError(res, 400, "Request_BadRequest", "Permission being assigned already exists on the object");
            return true;
          }
          const assignment: FakeAppRoleAssignment = {
            id: randomUUID(),
            principalId: principal.id,
            principalDisplayName: principal.displayName,
            principalType: "ServicePrincipal",
            resourceId: resource.id,
            resourceDisplayName: resource.displayName,
            appRoleId: role.id,
            createdDateTime: new Date().toISOString(),
          };
          directory.assignments.push(assignment);
          sendJson(res, 201, assignment);
          return true;
        }
      }
      sendError(res, 405, "Request_BadRequest", `${req.method} ${path} is not supported by the fake directory.`);
      return true;
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (!directory.handle(req, res, Buffer.concat(chunks).toString("utf8"))) {
        sendError(res, 404, "Request_ResourceNotFound", `No route ${req.method} ${req.url}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  directory.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;
  return directory;
}

/** The directory entry of an assignment's app role, by value, for assertions. */
export function roleValueOf(directory: GraphDirectory, assignment: FakeAppRoleAssignment): string | undefined {
  return directory.servicePrincipals
    .find((sp) => sp.id === assignment.resourceId)
    ?.appRoles.find((r) => r.id === assignment.appRoleId)?.value;
}
