/** Get a print job, and wait for it to finish, by its printer or by the share it was submitted to. */
import { p } from "../parameters";
import { ref, type Schema } from "../schema";
import {
  commonErrors,
  errorResponse,
  graphRequestIdHeader,
  jobPathHeader,
  jobResponse,
  pollHeaders,
} from "./responses";

function getJobOperation(parent: "printer" | "share"): Schema {
  const printer = parent === "printer";
  return {
    operationId: printer ? "GetPrinterJob" : "GetShareJob",
    summary: printer ? "Get print job" : "Get print job through a share",
    description: printer
      ? "Reads one print job of a Universal Print printer from Microsoft Graph: its state, settings, submitter, and optionally tasks and documents."
      : "Reads one print job through the printer share it was submitted to: its state, settings, submitter, and optionally tasks and documents. " +
        "Where Graph refuses the share path to the app, the job is read through the share's printer (the X-Print-Job-Path header says which).",
    "x-ms-visibility": printer ? "important" : "advanced",
    tags: ["Print jobs"],
    parameters: [p(printer ? "printerId" : "shareId"), p("jobId"), p("select"), p("expand")],
    responses: { "200": jobResponse("The print job."), ...commonErrors },
  };
}

function waitOperation(parent: "printer" | "share"): Schema {
  const printer = parent === "printer";
  return {
    operationId: printer ? "WaitForPrinterJob" : "WaitForShareJob",
    summary: printer ? "Wait for print job to finish" : "Wait for print job to finish through a share",
    description:
      "Waits until the print job is completed, canceled or aborted, then returns it. While it runs the app answers 202 with Location and " +
      "Retry-After, and Power Automate polls by itself; after the timeout the action fails with 504 (error.code completionTimeout, " +
      "error.lastState the job's last state).",
    "x-ms-visibility": printer ? "important" : "advanced",
    tags: ["Print jobs"],
    parameters: [p(printer ? "printerId" : "shareId"), p("jobId"), p("timeout"), p("expand"), p("deadline")],
    responses: {
      "200": jobResponse("The job reached a final state (status.state is completed, canceled or aborted)."),
      "202": {
        description: "The job is still running; poll Location after Retry-After seconds.",
        schema: ref("CompletionPending"),
        headers: {
          ...pollHeaders("The URL to poll next (carries the deadline; never the function key)."),
          ...graphRequestIdHeader,
          ...jobPathHeader,
        },
      },
      ...commonErrors,
      "504": errorResponse(
        "The timeout passed before the job finished (error.code completionTimeout, error.lastState), or Graph did not answer in time.",
      ),
    },
  };
}

export const printJobPaths: Record<string, Record<string, Schema>> = {
  "/printers/{printerId}/jobs/{jobId}": { get: getJobOperation("printer") },
  "/shares/{shareId}/jobs/{jobId}": { get: getJobOperation("share") },
  "/printers/{printerId}/jobs/{jobId}/completion": { get: waitOperation("printer") },
  "/shares/{shareId}/jobs/{jobId}/completion": { get: waitOperation("share") },
};
