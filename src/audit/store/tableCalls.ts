/** The answers of single Table calls the audit branches on: a row that is not there, or another writer first. */
import { type TableClient, type TableEntityResult } from "@azure/data-tables";
import { isRestError } from "@azure/core-rest-pipeline";

export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

/** A "create" found the row already recorded. */
export function isAlreadyExists(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 409 || error.code === "EntityAlreadyExists");
}

/** Another writer got there first: a create found the row (409), or the row's etag is no longer the one read (412). */
export function isWriteConflict(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 409 || error.statusCode === 412);
}

/** One row by its keys; undefined when there is none. */
export async function getEntityIfAny(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<Record<string, unknown>> | undefined> {
  try {
    return await client.getEntity(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
