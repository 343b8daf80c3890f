// Verifies the print audit's tamper evidence from an operator's machine, with the operator's own sign-in:
//   npm run verify -- --account https://<account>.table.core.windows.net --from 2026-11-01 --to 2026-11-30 [--pack DIR]
//   npm run verify -- --connection-string "<Azurite or account connection string>" --from … --to …
// Options: --prefix (AUDIT_TABLE_PREFIX, default printaudit), --container (AUDIT_EVIDENCE_CONTAINER, default
// audit-evidence), --retention-days (AUDIT_RETENTION_DAYS, default 400). Reading is enough: Storage Table Data
// Reader and Storage Blob Data Reader. Exit code 0 when intact, 1 when there are findings, 2 when it could not check.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import {
  BlobAnchor,
  evidenceContainer,
  evidencePackFiles,
  parseIntegrityRange,
  verifyIntegrity,
  type EvidenceTarget,
} from "../src/audit/integrity";
import { AuditStore, tableClientFactory } from "../src/audit/store";

export interface VerifyCommand {
  from: string;
  to: string;
  account?: string;
  connectionString?: string;
  prefix: string;
  container: string;
  retentionDays: number;
  pack?: string;
}

const usage =
  "usage: npm run verify -- (--account <https://<account>.table.core.windows.net> | --connection-string <text>) " +
  "--from YYYY-MM-DD --to YYYY-MM-DD [--prefix printaudit] [--container audit-evidence] [--retention-days 400] [--pack DIR]";

export function parseVerifyArgs(args: readonly string[]): VerifyCommand {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const value = args[i + 1];
    if (!name.startsWith("--") || value === undefined) throw new Error(`${usage}\n(${name} has no value)`);
    values.set(name.slice(2), value);
  }
  const known = ["from", "to", "account", "connection-string", "prefix", "container", "retention-days", "pack"];
  const unknown = [...values.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`Unknown option --${unknown[0]}.\n${usage}`);
  const range = parseIntegrityRange(
    new URLSearchParams({ from: values.get("from") ?? "", to: values.get("to") ?? "" }),
  );
  if (!values.has("account") === !values.has("connection-string"))
    throw new Error(`Give either --account or --connection-string.\n${usage}`);
  const retentionDays = Number(values.get("retention-days") ?? 400);
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error("--retention-days must be a whole number of days.");
  return {
    from: range.from,
    to: range.to,
    account: values.get("account"),
    connectionString: values.get("connection-string"),
    prefix: values.get("prefix") ?? "printaudit",
    container: values.get("container") ?? "audit-evidence",
    retentionDays,
    pack: values.get("pack"),
  };
}

/** The account's table and blob endpoints from --account: a table or blob URL, or the account name. */
function serviceUris(account: string): { tableServiceUri: string; blobServiceUri: string } {
  const url = /^https?:\/\//.test(account) ? new URL(account) : new URL(`https://${account}.table.core.windows.net`);
  const host = url.host.replace(/\.(table|blob)\./, ".table.");
  return {
    tableServiceUri: `${url.protocol}//${host}`,
    blobServiceUri: `${url.protocol}//${host.replace(".table.", ".blob.")}`,
  };
}

export function evidenceTarget(command: VerifyCommand, credential: () => TokenCredential): EvidenceTarget {
  if (command.connectionString) {
    const storage = { kind: "connectionString" as const, connectionString: command.connectionString };
    return {
      store: new AuditStore(command.prefix, tableClientFactory(storage, credential)),
      anchor: new BlobAnchor(evidenceContainer(storage, command.container, credential)),
    };
  }
  const { tableServiceUri, blobServiceUri } = serviceUris(command.account!);
  return {
    store: new AuditStore(command.prefix, tableClientFactory({ kind: "identity", tableServiceUri }, credential)),
    anchor: new BlobAnchor(evidenceContainer({ kind: "identity", blobServiceUri }, command.container, credential)),
  };
}

/** Runs the check (and writes the pack); returns the exit code. */
export async function runVerify(command: VerifyCommand, credential: () => TokenCredential): Promise<number> {
  const target = evidenceTarget(command, credential);
  const now = new Date();
  const { report, evidence } = await verifyIntegrity(target, { ...command, now });
  console.log(
    `${report.intact ? "INTACT" : "NOT INTACT"}: ${report.rowsChecked} row(s) of jobs created ${report.from} to ${report.to} checked ` +
      `against ${report.linksChecked} anchored link(s); ${report.rowsRemovedByRetention} removed by retention, ${report.rowsBeingWritten} being written.`,
  );
  for (const f of report.findings) console.log(`${f.kind.toUpperCase()}  ${f.table}  ${f.partitionKey}  ${f.rowKey}`);
  if (command.pack) {
    const dayMs = 86_400_000;
    const fromMs = Date.parse(`${command.from}T00:00:00Z`);
    const files = evidencePackFiles(evidence, report, {
      from: command.from,
      to: command.to,
      fromMs,
      toMs: Date.parse(`${command.to}T00:00:00Z`) + dayMs,
      windowStartMs: evidence.windowStartMs,
      checkedMs: now.getTime(),
      retentionDays: command.retentionDays,
      tables: {
        jobs: target.store.tables.jobs,
        tasks: target.store.tables.tasks,
        integrity: target.store.tables.integrity,
      },
    });
    mkdirSync(command.pack, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(command.pack, name), text);
    copyFileSync(
      resolve(__dirname, "..", "..", "scripts", "verify-evidence.mjs"),
      join(command.pack, "verify-evidence.mjs"),
    );
    console.log(
      `Evidence pack written to ${command.pack}: hand the folder to the auditor (node verify-evidence.mjs re-checks it).`,
    );
  }
  return report.intact ? 0 : 1;
}

if (require.main === module) {
  let credential: TokenCredential | undefined;
  Promise.resolve()
    .then(() => runVerify(parseVerifyArgs(process.argv.slice(2)), () => (credential ??= new DefaultAzureCredential())))
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        console.error((error as Error).message ?? String(error));
        process.exit(2);
      },
    );
}
