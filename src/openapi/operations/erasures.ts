/** Erasing a person from the audit (needs the admin key), and the erasure's status. */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import { answer, commonErrors, pollHeaders } from "./responses";

export const erasurePaths: Record<string, Record<string, Schema>> = {
  "/audit/erasures": {
    post: {
      operationId: "EraseAuditUser",
      summary: "Erase a person from the audit",
      description:
        "For a request to be forgotten: replaces the person's user id, UPN, display name and document names with erased in every audit row, " +
        "and their mentions in status texts, keeping the job facts; later jobs of the person are stored erased too. Needs the admin (master) key.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      consumes: ["application/json"],
      parameters: [
        {
          name: "body",
          in: "body",
          required: true,
          "x-ms-summary": "Person",
          description: "Who to erase.",
          schema: ref("ErasureRequest"),
        },
      ],
      responses: {
        "200": answer("Every row of the person is erased; rowsChanged says how many.", ref("AuditErasure")),
        "202": {
          description: "Erasure started and continues in the background; poll Location after Retry-After seconds.",
          schema: ref("AuditErasure"),
          headers: pollHeaders("The status of this erasure."),
        },
        ...commonErrors,
      },
    },
  },
  "/audit/erasures/{erasureId}": {
    get: {
      operationId: "GetAuditErasure",
      summary: "Get erasure status",
      description:
        "The record of one erasure: its status, when and by whom it was asked, and how many rows it changed so far.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("erasureId")],
      responses: { "200": answer("The erasure's record.", ref("AuditErasure")), ...commonErrors },
    },
  },
};
