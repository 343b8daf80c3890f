/**
 * One delivery of an audit queue message in a process of its own (auditDelivery.ts): the built app is loaded
 * through the local host and its auditPrinter handler invoked with the message, settings from the environment
 * as in Azure. Exits 0 when the handler succeeded, 1 when it threw (the host would deliver again), and prints
 * `AUDIT_PROCESS {...}` with its peak memory. Suites kill it at chosen points to simulate crashes.
 */
import { loadFunctionApp } from "../../sandbox/host/functionApp";
import { deliverFromEnv, reportLine } from "./auditDelivery";

deliverFromEnv(loadFunctionApp()).then(
  (report) => {
    console.log(reportLine(report));
    process.exit(report.ok ? 0 : 1);
  },
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
