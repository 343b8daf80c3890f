import { ConfigError } from "../errors";
import { parseServiceUrl, text, type Env } from "./env";

export type StorageSettings =
  | { kind: "connectionString"; connectionString: string }
  | {
      kind: "identity";
      blobServiceUri: string;
      queueServiceUri: string;
      tableServiceUri: string;
      /** Client id of the user-assigned identity the host uses for storage, if any. */
      clientId?: string;
    };

const storagePrefix = "AzureWebJobsStorage";

/** The host's own storage (AzureWebJobsStorage), which the audit shares: a connection string or identity-based URIs. */
export function storageSettings(env: Env): StorageSettings {
  const connectionString = text(env, storagePrefix);
  if (connectionString) {
    if (connectionString !== "UseDevelopmentStorage=true" && !/AccountName=|TableEndpoint=/i.test(connectionString)) {
      // Never echo the value: it may hold an account key.
      throw new ConfigError(
        storagePrefix,
        "is not a storage connection string (expected AccountName=… or UseDevelopmentStorage=true).",
      );
    }
    return { kind: "connectionString", connectionString };
  }
  const accountName = text(env, `${storagePrefix}__accountName`);
  const uri = (service: "blob" | "queue" | "table"): string => {
    const name = `${storagePrefix}__${service}ServiceUri`;
    const raw = text(env, name);
    if (raw) return parseServiceUrl(name, raw);
    if (accountName) {
      if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
        throw new ConfigError(`${storagePrefix}__accountName`, `"${accountName}" is not a storage account name.`);
      }
      return `https://${accountName}.${service}.core.windows.net`;
    }
    throw new ConfigError(
      storagePrefix,
      `is not set: give a connection string, or the identity-based ${storagePrefix}__${service}ServiceUri (or ${storagePrefix}__accountName).`,
    );
  };
  const clientId = text(env, `${storagePrefix}__clientId`);
  return {
    kind: "identity",
    blobServiceUri: uri("blob"),
    queueServiceUri: uri("queue"),
    tableServiceUri: uri("table"),
    clientId,
  };
}
