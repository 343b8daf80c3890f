/** How the audit reaches Table Storage: one TableClient per table, from the storage settings. */
import { TableClient } from "@azure/data-tables";
import { type TokenCredential } from "@azure/core-auth";

/** Makes the client of one table. */
export type TableClientFactory = (tableName: string) => TableClient;

/** Builds TableClients from the storage settings: a connection string (Azurite or keys) or identity-based service URIs. */
export function tableClientFactory(
  storage: { kind: "connectionString"; connectionString: string } | { kind: "identity"; tableServiceUri: string },
  credential: () => TokenCredential,
): TableClientFactory {
  return (tableName) => {
    if (storage.kind === "connectionString") {
      const insecure = /UseDevelopmentStorage=true|=http:\/\//i.test(storage.connectionString);
      return TableClient.fromConnectionString(storage.connectionString, tableName, {
        allowInsecureConnection: insecure,
      });
    }
    return new TableClient(storage.tableServiceUri, tableName, credential());
  };
}
