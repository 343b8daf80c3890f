/** Verifying the audit's tamper evidence (needs the admin key), and a background check's status. */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import { answer, commonErrors, pollHeaders } from "./responses";

const running = {
  description: "The range is long: the check runs in the background; poll Location after Retry-After seconds.",
  schema: ref("IntegrityCheck"),
  headers: pollHeaders("The status of this check."),
};

export const integrityPaths: Record<string, Record<string, Schema>> = {
  "/audit/integrity": {
    get: {
      operationId: "VerifyAuditIntegrity",
      summary: "Verify the audit's integrity",
      description:
        "Recomputes the digests of the job facts of the jobs created in the range and compares them with the ones anchored in immutable storage: " +
        "names every row altered, deleted or slipped in afterwards. Needs the admin (master) key.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("integrityFrom"), p("integrityTo")],
      responses: {
        "200": answer("The verification report.", ref("IntegrityReport")),
        "202": running,
        ...commonErrors,
      },
    },
  },
  "/audit/integrity/checks/{checkId}": {
    get: {
      operationId: "GetAuditIntegrityCheck",
      summary: "Get an integrity check",
      description: "The report of a background check, once it is done.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("checkId")],
      responses: { "200": answer("The verification report.", ref("IntegrityReport")), "202": running, ...commonErrors },
    },
  },
};
