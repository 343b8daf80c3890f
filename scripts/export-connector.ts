// Writes the Power Platform custom connector files from the app's one OpenAPI definition:
//   connector/apiDefinition.swagger.json and connector/apiProperties.json (checked in; CI checks they are current).
// Usage: npm run connector:export [-- --host func-x.azurewebsites.net --out my-connector]
// The checked-in files carry a placeholder host; set yours with --host (into another --out), or in the import wizard.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildApiProperties, buildOpenApiDefinition, connectorHostPlaceholder } from "../src/openapi/definition";

export const connectorDir = resolve(__dirname, "..", "..", "connector");
export const definitionFileName = "apiDefinition.swagger.json";
export const propertiesFileName = "apiProperties.json";

/** The two files' contents, byte for byte as the export writes them. */
export function connectorFiles(host = connectorHostPlaceholder): Record<string, string> {
  const text = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  return {
    [definitionFileName]: text(buildOpenApiDefinition({ host, basePath: "/api", schemes: ["https"] })),
    [propertiesFileName]: text(buildApiProperties()),
  };
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith("--")) throw new Error(`${name} needs a value`);
  return value;
}

function main(args: string[]): void {
  const host = option(args, "--host");
  if (host !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) {
    throw new Error(`--host takes a host name such as func-x.azurewebsites.net (no scheme or path); got ${JSON.stringify(host)}`);
  }
  const out = resolve(option(args, "--out") ?? connectorDir);
  mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(connectorFiles(host))) {
    writeFileSync(join(out, name), content);
    console.log(`wrote ${join(out, name)} (${Buffer.byteLength(content)} bytes)`);
  }
  if (host === undefined) console.log(`host is the placeholder ${connectorHostPlaceholder}: set your function app's host when you import.`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`connector:export: ${(error as Error).message}`);
    process.exit(1);
  }
}
