/** The recorder: one printer's audit run, from Graph's job list to the audit tables. */
export { auditPrinterJobs } from "./auditPrinterJobs";
export { describeFailure, graphFailureOf, leftDerivedRowsPending } from "./failures";
export { auditFaultPoints } from "./historyWrites";
export { type AuditPrinterOptions, type AuditResult } from "./printerRun";
