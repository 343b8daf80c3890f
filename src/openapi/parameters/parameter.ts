/** How the definition writes a parameter: where it goes, its type facets, then the texts Power Platform shows. */
import { type Schema } from "../schema";

/** A segment of the route, URL-encoded once. */
export const pathParameter = (name: string, facets: Schema, summary: string, description: string): Schema => ({
  name,
  in: "path",
  required: true,
  ...facets,
  "x-ms-summary": summary,
  description,
  "x-ms-url-encoding": "single",
});

/** An optional query option; `after` holds the keywords written after its texts (the published connector keeps that order). */
export const queryParameter = (
  name: string,
  facets: Schema,
  summary: string,
  description: string,
  after: Schema = {},
): Schema => ({ name, in: "query", required: false, ...facets, "x-ms-summary": summary, description, ...after });

/** Where Power Automate shows an option: up front, under "Show advanced options", or nowhere (set by the app). */
export const visibility = (where: "important" | "advanced" | "internal"): Schema => ({ "x-ms-visibility": where });

export const textType: Schema = { type: "string" };
