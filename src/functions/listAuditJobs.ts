import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { exportHistoryCsv, listHistoryPage, parseHistoryQuery } from "../audit/read";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { withDeadline } from "../http/deadline";
import { apiBaseUrl } from "../http/links";
import { jsonReply, replyHeaders } from "../http/replies";
import { traced } from "../http/tracedHandler";
import { getAuditStore, getPrivacyForLookup } from "../services";

/** The absolute link to the next page: the same query with the new token, on PUBLIC_BASE_URL or the request's own origin. */
function nextLink(request: HttpRequest, continuationToken: string): string {
  const next = new URL(`${apiBaseUrl(request)}/audit/jobs`);
  // The caller's own filters; never the function key (`code`): a link is logged and shared more readily than a header.
  // Power Automate and scripts send the key as the x-functions-key header on every page.
  for (const [name, value] of request.query)
    if (name !== "continuationToken" && name !== "code") next.searchParams.append(name, value);
  next.searchParams.set("continuationToken", continuationToken);
  return next.toString();
}

/** Audit history, filtered and paged (JSON), or exported whole (CSV). */
export async function listAuditJobs(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { audit, http } = getConfig();
  const query = parseHistoryQuery(request.query, audit);
  const store = getAuditStore();
  // The key is needed only to find a user's pseudonymized rows.
  const privacy = query.user !== undefined ? await getPrivacyForLookup() : audit;
  if (query.format === "csv") {
    // Leave a fifth of the deadline to answer with what was gathered.
    const deadline = Date.now() + Math.floor(http.deadlineInMs * 0.8);
    const csv = await withDeadline(http.deadlineInMs, () => exportHistoryCsv(store, query, privacy, { deadline }));
    context.log(`listAuditJobs format=csv rows=${csv.rows} complete=${!csv.continuationToken}`);
    return {
      status: 200,
      body: csv.text,
      headers: {
        ...replyHeaders(context),
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="print-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
        ...(csv.continuationToken
          ? { "x-audit-truncated": "true", "x-continuation-token": csv.continuationToken }
          : {}),
      },
    };
  }
  // Reading stops at four fifths of the deadline with the rows in hand (never an empty page while rows were found).
  const deadline = Date.now() + Math.floor(http.deadlineInMs * 0.8);
  const page = await withDeadline(http.deadlineInMs, () => listHistoryPage(store, query, privacy, { deadline }));
  context.log(`listAuditJobs rows=${page.value.length} more=${page.continuationToken !== undefined}`);
  return jsonReply(context, 200, {
    value: page.value,
    ...(page.continuationToken
      ? { continuationToken: page.continuationToken, "@odata.nextLink": nextLink(request, page.continuationToken) }
      : {}),
  });
}

app.http("listAuditJobs", {
  route: "audit/jobs",
  methods: ["GET"],
  authLevel: "function",
  handler: traced(listAuditJobs, {
    operation: "ListAuditJobs",
    subject: "the audit history",
    replyToError: auditReplyToError,
  }),
});
