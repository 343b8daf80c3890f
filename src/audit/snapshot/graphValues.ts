/**
 * Graph's values read tolerantly: any field may be missing, null or of the wrong type. A value of another
 * type that still reads as the expected one (the number 5 as text, "true") is taken and counted, anything
 * else is counted and left out, so a run records what it can and logs the shapes it did not expect.
 */

/** Counts fields Graph sent in a shape the audit did not expect, to be logged once per run. */
export class MalformedData {
  readonly fields = new Map<string, number>();
  note(field: string): void {
    this.fields.set(field, (this.fields.get(field) ?? 0) + 1);
  }
  get count(): number {
    let total = 0;
    for (const n of this.fields.values()) total += n;
    return total;
  }
  summary(): string {
    return [...this.fields.entries()].map(([field, n]) => `${field}=${n}`).join(", ");
  }
}

type TolerantReader<T> = (value: unknown, field: string, malformed: MalformedData) => T | undefined;

/** A reader that takes `exact` values as they are, and notes any other before trying `coerce` on it. */
function tolerant<T>(
  exact: (value: unknown) => value is T,
  coerce: (value: unknown) => T | undefined,
): TolerantReader<T> {
  return (value, field, malformed) => {
    if (value == null) return undefined;
    if (exact(value)) return value;
    malformed.note(field);
    return coerce(value);
  };
}

export const asObject = tolerant(
  (v): v is Record<string, unknown> => typeof v === "object" && !Array.isArray(v),
  () => undefined,
);

export const asString = tolerant(
  (v): v is string => typeof v === "string",
  (v) => (typeof v === "number" || typeof v === "boolean" ? String(v) : undefined),
);

export const asNumber = tolerant(
  (v): v is number => typeof v === "number" && Number.isFinite(v),
  (v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined),
);

export const asBoolean = tolerant(
  (v): v is boolean => typeof v === "boolean",
  (v) => (v === "true" || v === "false" ? v === "true" : undefined),
);

const asArrayOrNone = tolerant(Array.isArray, () => undefined);

export function asArray(value: unknown, field: string, malformed: MalformedData): unknown[] {
  return asArrayOrNone(value, field, malformed) ?? [];
}
