/** The integrity check's answer (src/functions/auditIntegrity.ts, docs/integrity.md). */
import { array, bool, count, dateTime, field, ref, str, text, type Schema } from "../schema";

export const integrityDefinitions: Record<string, Schema> = {
  IntegrityFinding: {
    type: "object",
    description: "A history row (or evidence link) that does not match the anchored digests.",
    properties: {
      kind: field(
        { type: "string", enum: ["altered", "missing", "unexpected"] },
        "Kind",
        "altered: changed after it was recorded; missing: deleted; unexpected: slipped in afterwards.",
      ),
      table: text("Table", "The table holding the row."),
      partitionKey: text("Partition key", "The row's PartitionKey (the printer id)."),
      rowKey: text("Row key", "The row's RowKey."),
    },
  },
  IntegrityReport: {
    type: "object",
    description:
      "Whether the job facts of the jobs created in the range match the digests anchored in immutable storage.",
    properties: {
      intact: bool("Intact", "True when nothing was altered, deleted or slipped in."),
      rowsChecked: count("Rows checked", "Job and task history rows whose digest was recomputed."),
      findings: array("Findings", "The rows that do not match, by their keys (at most 1000).", ref("IntegrityFinding")),
      from: str("From", "First UTC day checked."),
      to: str("To", "Last UTC day checked."),
      linksChecked: count("Links checked", "Anchored digests read."),
      rowsRemovedByRetention: count("Removed by retention", "Digested rows gone because they passed the retention."),
      rowsBeingWritten: count("Being written", "Rows of runs still being written, whose digest follows."),
      checkedDateTime: dateTime("Checked", "When the check ran (UTC)."),
    },
  },
  IntegrityCheck: {
    type: "object",
    description: "A check of a long range, running in the background.",
    properties: {
      checkId: text("Check ID", "Id of the check, for its status."),
      status: field({ type: "string", enum: ["running"] }, "Status", "running until the report is ready."),
      from: str("From", "First UTC day."),
      to: str("To", "Last UTC day."),
    },
  },
};
