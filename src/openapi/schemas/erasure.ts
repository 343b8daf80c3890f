/** The erasure route's request and answer (src/functions/auditErasure.ts): never the person erased. */
import { dateTime, field, int, str, text, type Schema } from "../schema";

export const erasureDefinitions: Record<string, Schema> = {
  ErasureRequest: {
    type: "object",
    description: "The person to erase from the audit.",
    required: ["user"],
    properties: {
      user: text("User", "The person's user principal name or Microsoft Entra object id."),
    },
  },
  AuditErasure: {
    type: "object",
    description: "The record of one erasure: when, by whom, how many rows; never the person erased.",
    properties: {
      erasureId: text("Erasure ID", "Id of the erasure, for its status."),
      status: field(
        { type: "string", enum: ["running", "completed"] },
        "Status",
        "completed when every row of the person is erased; running while the audit finishes it.",
      ),
      requestedDateTime: dateTime("Requested", "When the erasure was asked for (UTC)."),
      requestedBy: str("Requested by", "The admin key, or the signed-in principal with it, that asked."),
      completedDateTime: dateTime("Completed", "When the last row was erased (UTC)."),
      rowsChanged: int("Rows changed", "Rows erased in every audit table (jobs, tasks, current state)."),
    },
  },
};
