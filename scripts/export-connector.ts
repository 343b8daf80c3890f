// Writes the Power Platform custom connector files from the app's one OpenAPI definition:
//   connector/apiDefinition.swagger.json and connector/apiProperties.json (checked in, function-key sign-in;
//   CI checks they are current).
// Usage: npm run connector:export [-- --host func-x.azurewebsites.net --out my-connector]
//        npm run connector:export -- --auth entra --client-id <connector app id> --tenant <tenant id> --resource <function app's app id or api:// URI> --out my-connector
// The checked-in files carry a placeholder host; set yours with --host (into another --out), or in the import wizard.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isGuid } from "../src/validation";
import { buildApiProperties } from "../src/openapi/apiProperties";
import { type ConnectorAuth } from "../src/openapi/connectorAuth";
import { buildOpenApiDefinition, connectorHostPlaceholder } from "../src/openapi/definition";

export const connectorDir = resolve(__dirname, "..", "..", "connector");
export const definitionFileName = "apiDefinition.swagger.json";
export const propertiesFileName = "apiProperties.json";

/** The two files' contents, byte for byte as the export writes them. */
export function connectorFiles(
  host = connectorHostPlaceholder,
  auth: ConnectorAuth = { kind: "key" },
): Record<string, string> {
  const text = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  return {
    [definitionFileName]: text(buildOpenApiDefinition({ host, basePath: "/api", schemes: ["https"], auth })),
    [propertiesFileName]: text(buildApiProperties(auth)),
  };
}

/** A command-line mistake: printed as it is, with exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith("--")) throw new UsageError(`${name} needs a value`);
  return value;
}

const knownOptions = new Set(["--host", "--out", "--auth", "--client-id", "--tenant", "--resource"]);
const domainPattern = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** The sign-in choice from the command line, validated: key (default), or entra with its three ids. */
export function parseAuth(args: string[]): ConnectorAuth {
  const kind = option(args, "--auth") ?? "key";
  const entraOptions = ["--client-id", "--tenant", "--resource"];
  if (kind === "key") {
    const stray = entraOptions.filter((name) => args.includes(name));
    if (stray.length > 0) throw new UsageError(`${stray.join(", ")} only go with --auth entra`);
    return { kind: "key" };
  }
  if (kind !== "entra") throw new UsageError(`--auth is key or entra; got ${JSON.stringify(kind)}`);
  const missing = entraOptions.filter((name) => option(args, name) === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `--auth entra needs ${missing.join(", ")}: --client-id <the connector's app registration client id> --tenant <tenant id> ` +
        "--resource <the function app's Entra app client id or its api:// App ID URI>",
    );
  }
  const clientId = option(args, "--client-id")!;
  const tenant = option(args, "--tenant")!;
  const resource = option(args, "--resource")!;
  if (!isGuid(clientId))
    throw new UsageError(
      `--client-id must be a GUID (the connector app registration's Application (client) ID); got ${JSON.stringify(clientId)}`,
    );
  if (!isGuid(tenant) && !domainPattern.test(tenant)) {
    throw new UsageError(
      `--tenant must be a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com; got ${JSON.stringify(tenant)}`,
    );
  }
  if (!isGuid(resource) && !/^api:\/\/[^\s"<>]+$/.test(resource) && !/^https:\/\/[^\s"<>]+$/.test(resource)) {
    throw new UsageError(
      `--resource must be the function app's Entra app client id (GUID) or App ID URI (api://...); got ${JSON.stringify(resource)}`,
    );
  }
  return { kind: "entra", clientId: clientId.toLowerCase(), tenant: tenant.toLowerCase(), resource };
}

export function exportConnector(args: string[], log: (line: string) => void = console.log): void {
  const unknown = args.filter((a) => a.startsWith("--") && !knownOptions.has(a));
  if (unknown.length > 0)
    throw new UsageError(`unknown option ${unknown.join(", ")}; options: ${[...knownOptions].join(", ")}`);
  const host = option(args, "--host");
  if (host !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) {
    throw new UsageError(
      `--host takes a host name such as func-x.azurewebsites.net (no scheme or path); got ${JSON.stringify(host)}`,
    );
  }
  const auth = parseAuth(args);
  const out = resolve(option(args, "--out") ?? connectorDir);
  if (auth.kind !== "key" && out === connectorDir)
    throw new UsageError("--auth entra writes your tenant's ids: give it an --out folder of its own, not connector/");
  mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(connectorFiles(host, auth))) {
    writeFileSync(join(out, name), content);
    log(
      `wrote ${join(out, name)} (${Buffer.byteLength(content)} bytes, sign-in: ${auth.kind === "key" ? "function key" : "Microsoft Entra ID and function key"})`,
    );
  }
  if (host === undefined)
    log(
      `host is the placeholder ${connectorHostPlaceholder}: set your function app's host with --host, or when you import.`,
    );
}

if (require.main === module) {
  try {
    exportConnector(process.argv.slice(2));
  } catch (error) {
    console.error(`connector:export: ${(error as Error).message}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
