/**
 * The one step that writes rows: every write of the store, a transaction or a single call, is committed here,
 * after its keys are checked and its row is fitted to Table limits. What a row write must guarantee (and what
 * may watch it, a digest for tamper evidence say) belongs here and nowhere else.
 */
import { type TableClient, type TransactionAction } from "@azure/data-tables";
import { isValidKey } from "../keys";
import { keysOf, type RowWrite } from "./rows";
import { fitEntity } from "./sizes";

/** A write with its keys checked and its row fitted; a key Table Storage forbids is refused, never sent. */
function checked(tableName: string, write: RowWrite): RowWrite {
  const { partitionKey, rowKey } = keysOf(write);
  if (!isValidKey(partitionKey) || !isValidKey(rowKey)) {
    throw new Error(
      `Refusing a row with an invalid key in ${tableName} (partition ${JSON.stringify(String(partitionKey).slice(0, 60))}).`,
    );
  }
  return write.op === "delete" ? write : { ...write, row: fitEntity(write.row) };
}

function asAction(write: RowWrite): TransactionAction {
  switch (write.op) {
    case "create":
      return ["create", write.row];
    case "merge":
      return ["upsert", write.row, "Merge"];
    case "put":
      return ["upsert", write.row, "Replace"];
    case "replace":
      return ["update", write.row, "Replace", { etag: write.etag }];
    case "delete":
      return ["delete", write.key];
  }
}

async function single(client: TableClient, write: RowWrite): Promise<void> {
  switch (write.op) {
    case "create":
      await client.createEntity(write.row);
      return;
    case "merge":
      await client.upsertEntity(write.row, "Merge");
      return;
    case "put":
      await client.upsertEntity(write.row, "Replace");
      return;
    case "replace":
      await client.updateEntity(write.row, "Replace", { etag: write.etag });
      return;
    case "delete":
      await client.deleteEntity(
        write.key.partitionKey,
        write.key.rowKey,
        write.etag ? { etag: write.etag } : undefined,
      );
      return;
  }
}

/** Told of the writes a commit carried out, as they were sent (fitted): the tamper evidence digests created history rows. */
export type CommitWatcher = (writes: readonly RowWrite[]) => void;

/** Commits writes to one table: a list as one entity-group transaction, a single write as one call. */
export async function commitWrites(
  client: TableClient,
  tableName: string,
  write: RowWrite | readonly RowWrite[],
  watcher?: CommitWatcher,
): Promise<void> {
  const writes = (Array.isArray(write) ? write : [write]).map((w: RowWrite) => checked(tableName, w));
  if (writes.length === 1 && !Array.isArray(write)) await single(client, writes[0]!);
  else await client.submitTransaction(writes.map(asAction));
  watcher?.(writes);
}
