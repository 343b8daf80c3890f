/** The daily audit summaries, counted when the jobs were recorded. */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import { answer, commonErrors } from "./responses";

export const summaryPaths: Record<string, Record<string, Schema>> = {
  "/audit/summaries": {
    get: {
      operationId: "GetAuditSummaries",
      summary: "Get daily audit summaries",
      description:
        "Jobs per state per UTC day, per printer (with aborted and canceled) and the busiest people, counted when the jobs were recorded.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("summaryFrom"), p("summaryTo"), p("auditPrinterId"), p("summaryTop")],
      responses: { "200": answer("The daily summaries of the range.", ref("AuditSummaries")), ...commonErrors },
    },
  },
};
