/** Reading the audit: one job's timeline, and the list of audited jobs (JSON pages or CSV). */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import { answer, commonErrors } from "./responses";

export const auditJobPaths: Record<string, Record<string, Schema>> = {
  "/audit/printers/{printerId}/jobs/{jobId}": {
    get: {
      operationId: "GetJobAuditTimeline",
      summary: "Get job audit timeline",
      description:
        "Everything the audit recorded about one job: its current record, every state it was seen in, and its task states, oldest first.",
      "x-ms-visibility": "important",
      tags: ["Audit"],
      parameters: [p("printerId"), p("jobId")],
      responses: { "200": answer("The job's recorded timeline.", ref("AuditTimeline")), ...commonErrors },
    },
  },
  "/audit/jobs": {
    get: {
      operationId: "ListAuditJobs",
      summary: "List audited print jobs",
      description:
        "Recorded job states filtered by printer, creation time, state and user, a page at a time (turn on Pagination in the action's settings to get more).",
      "x-ms-visibility": "important",
      "x-ms-pageable": { nextLinkName: "@odata.nextLink" },
      tags: ["Audit"],
      produces: ["application/json", "text/csv"],
      parameters: [
        p("auditPrinterId"),
        p("from"),
        p("to"),
        p("state"),
        p("user"),
        p("top"),
        p("latest"),
        p("continuationToken"),
        p("format"),
      ],
      responses: {
        "200": answer("A page of audited job records (or, with format=csv, a CSV file).", ref("AuditPage")),
        ...commonErrors,
      },
    },
  },
};
