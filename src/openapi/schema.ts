/**
 * How the definition writes a schema: one builder per shape, so every property of every answer reads as a
 * title (x-ms-summary, shown by Power Platform) and a description.
 */

/** An OpenAPI 2.0 (Swagger) JSON Schema object, with the x-ms-* extensions Power Platform reads. */
export type Schema = { [keyword: string]: unknown };

// Always present in the answer.

/** A value of the given type facets (type, format...) with its title and description. */
export const field = (facets: Schema, summary: string, description: string): Schema => ({
  ...facets,
  "x-ms-summary": summary,
  description,
});
export const text = (summary: string, description: string): Schema => field({ type: "string" }, summary, description);
export const count = (summary: string, description: string): Schema =>
  field({ type: "integer", format: "int32" }, summary, description);
export const array = (summary: string, description: string, items: Schema): Schema => ({
  ...field({ type: "array" }, summary, description),
  items,
});

// May be null: what Graph or the audit may not know.

export const str = (summary: string, description: string, extra: Schema = {}): Schema => ({
  ...text(summary, description),
  "x-nullable": true,
  ...extra,
});
export const dateTime = (summary: string, description: string): Schema =>
  str(summary, description, { format: "date-time" });
export const int = (summary: string, description: string, format = "int32"): Schema => ({
  ...field({ type: "integer", format }, summary, description),
  "x-nullable": true,
});
export const bool = (summary: string, description: string): Schema => ({
  ...field({ type: "boolean" }, summary, description),
  "x-nullable": true,
});
export const listOf = (summary: string, description: string, items: Schema): Schema => ({
  ...field({ type: "array" }, summary, description),
  "x-nullable": true,
  items,
});

export const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
export const advanced = (schema: Schema): Schema => ({ ...schema, "x-ms-visibility": "advanced" });
export const internal = (schema: Schema): Schema => ({ ...schema, "x-ms-visibility": "internal" });

/** An answer whose `value` is a list (the shape Power Automate's "apply to each" picks up). */
export const valueList = (description: string, summary: string, itemsDescription: string, items: Schema): Schema => ({
  type: "object",
  description,
  required: ["value"],
  properties: { value: array(summary, itemsDescription, items) },
});

/** The states Graph names today, quoted by several descriptions. */
export const taskStates = "pending, processing, completed or aborted (new values may appear)";
export const jobStates =
  "unknown, pending, processing, paused, stopped, completed, canceled, aborted (new values may appear)";
