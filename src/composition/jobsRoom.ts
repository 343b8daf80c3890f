/** Get-job and the wait for completion: jobs/ over the interactive Graph client. */
import { type InvocationContext } from "@azure/functions";
import { type GetPrintJobOptions } from "../graph/client";
import { type PrintJobRef } from "../graph/paths";
import { replyToError } from "../http/errorReplies";
import { getServedPrintJob, printJobPathHeader, type ServedPrintJob } from "../jobs/sharePath";
import { type AppClients } from "./clients";

export interface JobsRoom {
  /** The job through its printer or share, as Graph has it, and which path served it. */
  getServedPrintJob(ref: PrintJobRef, options: GetPrintJobOptions): Promise<ServedPrintJob>;
  /** The answer's header naming that path. */
  printJobPathHeader: string;
  replyToError(context: InvocationContext, error: unknown, subject: string): ReturnType<typeof replyToError>;
}

export function createJobsRoom(clients: AppClients): JobsRoom {
  const graph = clients.graph("interactive");
  return {
    getServedPrintJob: (ref, options) => getServedPrintJob(graph, ref, options),
    printJobPathHeader,
    replyToError: (context, error, subject) => replyToError(context, error, subject, clients.graphTokenRoles()),
  };
}
