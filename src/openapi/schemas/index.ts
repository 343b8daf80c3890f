/** Every schema of the definition (its `definitions`), in the order the document lists them. */
import { type Schema } from "../schema";
import { auditRowDefinitions } from "./auditRows";
import { erasureDefinitions } from "./erasure";
import { integrityDefinitions } from "./integrity";
import { errorDefinitions } from "./error";
import { eventDefinitions } from "./events";
import { printJobDefinitions } from "./printJob";
import { summaryDefinitions } from "./summaries";

export const definitions: Record<string, Schema> = {
  ...printJobDefinitions,
  ...errorDefinitions,
  ...auditRowDefinitions,
  ...erasureDefinitions,
  ...integrityDefinitions,
  ...eventDefinitions,
  ...summaryDefinitions,
};
