/**
 * The Table service's documented limits that Azurite does not enforce, as pure checks over what a client
 * sends, each answering with the refusal the service gives (status, OData error code, message). The strict
 * proxy (strictTables.ts) applies them to every request of the test rig. Sources, cited per rule below:
 *
 *  [query]  Querying tables and entities
 *           https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities
 *  [paging] Query timeout and pagination
 *           https://learn.microsoft.com/rest/api/storageservices/query-timeout-and-pagination
 *  [model]  Understanding the Table service data model
 *           https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
 *  [egt]    Performing entity group transactions
 *           https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
 *  [codes]  Table service error codes
 *           https://learn.microsoft.com/rest/api/storageservices/table-service-error-codes
 *  [common] Common REST API error codes
 *           https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes
 */

/** A refusal as the service words it; `rule` names the limit for the rig's log. */
export interface TableRefusal {
  status: number;
  code: string;
  message: string;
  rule: string;
}

/** [query] "$filter ... No more than 15 discrete comparisons are permitted within a $filter string." */
export const maxFilterComparisons = 15;
/** [query] "$top ... returns only the top n ... If a value greater than 1,000 is specified, 400". [paging] 1,000 per page. */
export const maxPageRows = 1000;
/** [egt] "The transaction can include at most 100 entities, and its total payload may be no more than 4 MiB". */
export const maxBatchOperations = 100;
export const maxBatchBytes = 4 * 1024 * 1024;
/** [model] "An entity can have up to 255 properties, including the 3 system properties" (PartitionKey, RowKey, Timestamp). */
export const maxProperties = 255;
/** [model] "The combined size of all data in an entity's properties can't exceed 1 MiB." */
export const maxEntityBytes = 1024 * 1024;
/** [model] String "UTF-16-encoded value. String values can be up to 64 KiB in size" (32K characters); Binary up to 64 KiB. */
export const maxValueBytes = 64 * 1024;
/** [model] "The partition key may be a string value up to 1 KiB in size" (the row key too); read as 1,024 characters. */
export const maxKeyChars = 1024;

const refusal = (status: number, code: string, message: string, rule: string): TableRefusal => ({
  status,
  code,
  message,
  rule,
});

/** Counts eq/ne/gt/ge/lt/le outside quoted literals ('' is an escaped quote inside one). */
export function countComparisons(filter: string): number {
  let count = 0;
  let i = 0;
  while (i < filter.length) {
    if (filter[i] === "'") {
      i++;
      while (i < filter.length) {
        if (filter[i] === "'" && filter[i + 1] === "'") i += 2;
        else if (filter[i] === "'") break;
        else i++;
      }
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(filter.slice(i));
    if (word) {
      if (/^(eq|ne|gt|ge|lt|le)$/i.test(word[0])) count++;
      i += word[0].length;
    } else i++;
  }
  return count;
}

/** [query] at most 15 comparisons; [query] $top at most 1,000. */
export function checkQuery(filter: string | null, top: string | null): TableRefusal | undefined {
  if (filter !== null) {
    const n = countComparisons(filter);
    if (n > maxFilterComparisons)
      return refusal(400, "InvalidInput", "One of the request inputs is not valid.", `filter has ${n} comparisons`);
  }
  if (top !== null && Number(top) > maxPageRows)
    return refusal(400, "InvalidInput", "One of the request inputs is not valid.", `$top=${top}`);
  return undefined;
}

/** [model] "Characters Disallowed in Key Fields": / \ # ? and control characters U+0000-U+001F, U+007F-U+009F. */
export function checkKey(name: "PartitionKey" | "RowKey", key: unknown): TableRefusal | undefined {
  if (typeof key !== "string") return undefined;
  // eslint-disable-next-line no-control-regex
  const bad = /[/\\#?\u0000-\u001f\u007f-\u009f]/.exec(key);
  if (bad)
    return refusal(
      400,
      "OutOfRangeInput",
      "One of the request inputs is out of range.",
      `${name} holds U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (key.length > maxKeyChars)
    return refusal(
      400,
      "OutOfRangeInput",
      "One of the request inputs is out of range.",
      `${name} of ${key.length} chars`,
    );
  return undefined;
}

/** The bytes [model] counts for one value: strings as UTF-16, binary decoded, numbers 8, booleans 1, guids 16. */
function valueBytes(value: unknown, type: string | undefined): number {
  if (type === "Edm.Binary" && typeof value === "string") return 4 + Buffer.from(value, "base64").length;
  if (type === "Edm.Guid") return 16;
  if (type === "Edm.Int64" || type === "Edm.DateTime" || type === "Edm.Double") return 8;
  if (typeof value === "string") return 4 + value.length * 2;
  if (typeof value === "boolean") return 1;
  return 8;
}

/**
 * [model] An entity's property count (system properties included), its size, each value's size and its keys.
 * `keys` are the keys from the request URL (update, merge, delete), when the body does not carry them.
 */
export function checkEntity(
  body: Record<string, unknown>,
  keys: { PartitionKey?: string; RowKey?: string } = {},
): TableRefusal | undefined {
  const partitionKey = body.PartitionKey ?? keys.PartitionKey;
  const rowKey = body.RowKey ?? keys.RowKey;
  const keyRefusal = checkKey("PartitionKey", partitionKey) ?? checkKey("RowKey", rowKey);
  if (keyRefusal) return keyRefusal;
  const names = Object.keys(body).filter((name) => !name.includes("@odata.") && !name.startsWith("odata."));
  const properties = new Set([...names, "PartitionKey", "RowKey", "Timestamp"]).size;
  if (properties > maxProperties)
    return refusal(
      400,
      "TooManyProperties",
      "The entity contains more properties than allowed. Each entity can include up to 252 properties to store data. Each entity also has 3 system properties.",
      `${properties} properties`,
    );
  let bytes = 4 + String(partitionKey ?? "").length * 2 + String(rowKey ?? "").length * 2;
  for (const name of names) {
    if (name === "PartitionKey" || name === "RowKey") continue;
    const size = valueBytes(body[name], body[`${name}@odata.type`] as string | undefined);
    if (size - 4 > maxValueBytes && (typeof body[name] === "string" || body[`${name}@odata.type`] === "Edm.Binary"))
      return refusal(
        400,
        "PropertyValueTooLarge",
        "The property value exceeds the maximum allowed size (64KB). If the property value is a string, it is UTF-16 encoded and the maximum number of characters should be 32K or less.",
        `property ${name} of ${size - 4} bytes`,
      );
    bytes += 8 + name.length * 2 + size;
  }
  if (bytes > maxEntityBytes)
    return refusal(
      400,
      "EntityTooLarge",
      "The entity is larger than the maximum allowed size (1MB).",
      `${bytes} bytes`,
    );
  return undefined;
}

/** One operation of an entity-group transaction, as parsed from its change set. */
export interface BatchOperation {
  method: string;
  /** The entity's keys, from the URL or the body. */
  partitionKey?: string;
  rowKey?: string;
  body?: Record<string, unknown>;
}

/** [egt] + [codes]: at most 100 operations, one partition, each entity once, each entity within [model]. */
export function checkBatch(
  operations: readonly BatchOperation[],
): { index: number; refusal: TableRefusal } | undefined {
  if (operations.length > maxBatchOperations)
    return {
      index: 0,
      refusal: refusal(
        400,
        "InvalidInput",
        "The batch request operation exceeds the maximum 100 changes per change set.",
        `${operations.length} operations in one transaction`,
      ),
    };
  const seen = new Set<string>();
  for (const [index, op] of operations.entries()) {
    if (op.partitionKey !== operations[0]!.partitionKey)
      return {
        index,
        refusal: refusal(
          400,
          "CommandsInBatchActOnDifferentPartitions",
          "All commands in a batch must operate on same entity group.",
          "transaction over two partitions",
        ),
      };
    if (seen.has(op.rowKey ?? ""))
      return {
        index,
        refusal: refusal(
          400,
          "InvalidDuplicateRow",
          `A command with RowKey '${op.rowKey}' is already present in the batch. An entity can appear only once in a batch.`,
          "one row twice in a transaction",
        ),
      };
    seen.add(op.rowKey ?? "");
    const entityRefusal =
      op.body !== undefined
        ? checkEntity(op.body, { PartitionKey: op.partitionKey, RowKey: op.rowKey })
        : (checkKey("PartitionKey", op.partitionKey) ?? checkKey("RowKey", op.rowKey));
    if (entityRefusal) return { index, refusal: entityRefusal };
  }
  return undefined;
}

/** [egt] the whole transaction's payload at most 4 MiB; [common] 413 RequestBodyTooLarge. */
export function checkBatchSize(bytes: number): TableRefusal | undefined {
  if (bytes <= maxBatchBytes) return undefined;
  return refusal(
    413,
    "RequestBodyTooLarge",
    "The request body is too large and exceeds the maximum permissible limit.",
    `transaction of ${bytes} bytes`,
  );
}

/** Keys of a URL's `Table(PartitionKey='..',RowKey='..')` segment (quotes doubled inside, percent-encoded). */
export function keysOfPath(path: string): { table: string; partitionKey?: string; rowKey?: string } {
  const last = path.split("?")[0]!.split("/").pop() ?? "";
  const match = /^([^(]*)\((.*)\)$/.exec(last);
  if (!match) return { table: decodeURIComponent(last) };
  const inner = decodeURIComponent(match[2]!);
  const key = (name: string): string | undefined => {
    const m = new RegExp(`${name}='((?:[^']|'')*)'`).exec(inner);
    return m ? m[1]!.replace(/''/g, "'") : undefined;
  };
  return { table: decodeURIComponent(match[1]!), partitionKey: key("PartitionKey"), rowKey: key("RowKey") };
}

/** Parses an entity-group transaction's change set (multipart/mixed) into its operations. */
export function parseBatch(body: string): BatchOperation[] {
  const boundary = /boundary=(changeset_[^\s;"]+)/.exec(body)?.[1];
  if (!boundary) return [];
  const parts = body.split(`--${boundary}`).slice(1, -1);
  return parts.map((part) => {
    const request = /^(POST|PUT|PATCH|MERGE|DELETE|GET) (\S+) HTTP\/1\.1$/m.exec(part);
    const method = request?.[1] ?? "";
    const keys = keysOfPath(new URL(request?.[2] ?? "http://x/").pathname);
    const json = /\r?\n\r?\n(\{[\s\S]*\})\s*$/.exec(part)?.[1];
    const entity = json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
    return {
      method,
      partitionKey: (entity?.PartitionKey as string | undefined) ?? keys.partitionKey,
      rowKey: (entity?.RowKey as string | undefined) ?? keys.rowKey,
      ...(entity ? { body: entity } : {}),
    };
  });
}

/** The service's JSON error body ([codes]): `{"odata.error":{"code","message":{"lang","value"}}}`. */
export function errorBody(code: string, message: string, requestId: string): string {
  const value = `${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`;
  return JSON.stringify({ "odata.error": { code, message: { lang: "en-US", value } } });
}

/**
 * A failed transaction as the service answers it [egt]: 202 with one change-set response holding the
 * failure, its message prefixed with the failing operation's index.
 */
export function batchFailureBody(
  index: number,
  refusal: TableRefusal,
  requestId: string,
): { boundary: string; body: string } {
  const boundary = `batchresponse_${requestId}`;
  const changeset = `changesetresponse_${requestId}`;
  const error = errorBody(refusal.code, `${index}:${refusal.message}`, requestId);
  const body = [
    `--${boundary}`,
    `Content-Type: multipart/mixed; boundary=${changeset}`,
    "",
    `--${changeset}`,
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    `HTTP/1.1 ${refusal.status} ${refusal.status === 413 ? "Request Entity Too Large" : "Bad Request"}`,
    "X-Content-Type-Options: nosniff",
    "DataServiceVersion: 3.0;",
    "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
    "",
    error,
    `--${changeset}--`,
    `--${boundary}--`,
    "",
  ].join("\r\n");
  return { boundary, body };
}
