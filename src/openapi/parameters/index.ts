/** Every parameter of the definition (its `parameters`), in the order the document lists them. */
import { type Schema } from "../schema";
import { auditJobParameters } from "./auditJobs";
import { erasureParameters } from "./erasure";
import { integrityParameters } from "./integrity";
import { eventParameters } from "./events";
import { printJobParameters } from "./printJob";
import { summaryParameters } from "./summaries";

export const parameters = {
  ...printJobParameters,
  ...auditJobParameters,
  ...summaryParameters,
  ...eventParameters,
  ...erasureParameters,
  ...integrityParameters,
} satisfies Record<string, Schema>;

export type ParameterName = keyof typeof parameters;

/** A reference to one of the definition's parameters, by its key. */
export const p = (name: ParameterName): Schema => ({ $ref: `#/parameters/${name}` });
