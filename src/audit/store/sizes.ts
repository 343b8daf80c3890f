/** Rows always fit Table Storage: strings are cut at 32,000 characters with a marker and the whole row is kept under 1 MiB. */

/** A Table string property holds 64 KiB of UTF-16: 32,768 characters; keep room for the marker. */
export const maxStringChars = 32_000;
/** An entity holds 1 MiB; keep a margin for keys, names and the service's own properties. */
export const maxEntityBytes = 960 * 1024;

export function truncate(value: string, maxChars = maxStringChars): string {
  if (value.length <= maxChars) return value;
  const marker = `…[truncated ${value.length - maxChars} of ${value.length} characters]`;
  let cut = maxChars - marker.length;
  // Never split a surrogate pair.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(value[cut - 1]!)) cut--;
  return value.slice(0, Math.max(0, cut)) + marker;
}

/** The size Table Storage counts for an entity (strings as UTF-16, names included), roughly. */
export function entityBytes(entity: Record<string, unknown>): number {
  let bytes = 4;
  for (const [name, value] of Object.entries(entity)) {
    bytes += 8 + name.length * 2;
    if (typeof value === "string") bytes += 4 + value.length * 2;
    else bytes += 8;
  }
  return bytes;
}

/** Makes a row fit Table Storage: long strings cut with a marker, then the longest cut further while the row is too big. */
export function fitEntity<T extends Record<string, unknown>>(entity: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) out[name] = typeof value === "string" ? truncate(value) : value;
  while (entityBytes(out) > maxEntityBytes) {
    let longest: string | undefined;
    for (const [name, value] of Object.entries(out)) {
      if (name === "partitionKey" || name === "rowKey") continue;
      if (typeof value === "string" && (longest === undefined || value.length > (out[longest] as string).length))
        longest = name;
    }
    const before = longest === undefined ? 0 : (out[longest] as string).length;
    if (!longest || before < 200) break;
    out[longest] = truncate(out[longest] as string, Math.floor(before / 2));
  }
  return out as T;
}
