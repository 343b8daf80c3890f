/** Every operation of the definition (its `paths`), in the order the document lists them. */
import { type Schema } from "../schema";
import { auditJobPaths } from "./auditJobs";
import { erasurePaths } from "./erasures";
import { integrityPaths } from "./integrity";
import { eventPaths } from "./events";
import { openApiPaths } from "./openApi";
import { printJobPaths } from "./printJobs";
import { summaryPaths } from "./summaries";

export const paths: Record<string, Record<string, Schema>> = {
  ...printJobPaths,
  ...auditJobPaths,
  ...openApiPaths,
  ...eventPaths,
  ...erasurePaths,
  ...integrityPaths,
  ...summaryPaths,
};
