/** Whether a text is a data-tables continuation token as the SDK encodes it (base64 JSON with the next keys). */
export function isContinuationToken(token: string): boolean {
  if (token.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) return false;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as {
      nextPartitionKey?: unknown;
      nextRowKey?: unknown;
    };
    return (
      typeof parsed.nextPartitionKey === "string" &&
      (parsed.nextRowKey === undefined || typeof parsed.nextRowKey === "string")
    );
  } catch {
    return false;
  }
}
