import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { type IntegrityReport } from "../audit/integrity";
import { type IntegrityRoom } from "../composition/integrityRoom";
import { integrityRoom } from "../composition/rooms";
import { apiBaseUrl } from "../http/links";
import { errorReply, jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { InputError } from "../errors";
import { assertQueryAllowed } from "../validation";

/** Seconds a caller waits before polling a background check again. */
const checkRetryAfterSeconds = "30";

/** At most this many findings in an answer (the counts stay whole). */
function shownReport(report: IntegrityReport): IntegrityReport {
  return report.findings.length <= 1000 ? report : { ...report, findings: report.findings.slice(0, 1000) };
}

/** Verifies the jobs created in a range against the anchor: 200 with the report, or 202 and a Location for a long range. */
export async function verifyAuditIntegrity(
  request: HttpRequest,
  context: InvocationContext,
  _call: TracedCall,
  integrity: IntegrityRoom,
): Promise<HttpResponseInit> {
  const range = integrity.parseRange(request.query);
  if (range.days <= integrity.maxImmediateRangeDays) {
    const report = await integrity.verify(context, range);
    context.log(
      `auditIntegrity from=${range.from} to=${range.to} intact=${report.intact} rowsChecked=${report.rowsChecked} findings=${report.findings.length}`,
    );
    return jsonReply(context, 200, shownReport(report));
  }
  const checkId = await integrity.startCheck(range);
  return jsonReply(
    context,
    202,
    { checkId, status: "running", from: range.from, to: range.to },
    {
      location: `${apiBaseUrl(request)}/audit/integrity/checks/${checkId}`,
      "retry-after": checkRetryAfterSeconds,
    },
  );
}

/** A background check: 202 while it runs, 200 with its report once done. */
export async function getAuditIntegrityCheck(
  request: HttpRequest,
  context: InvocationContext,
  _call: TracedCall,
  integrity: IntegrityRoom,
): Promise<HttpResponseInit> {
  assertQueryAllowed(request.query, []);
  const checkId = request.params.checkId ?? "";
  if (!integrity.checkIdPattern.test(checkId))
    throw new InputError("checkId", "checkId must be an id this API handed out, such as 20261206T101500123Z-0a1b2c3d.");
  const check = await integrity.check(checkId);
  if (!check) return errorReply(context, 404, "notFound", `There is no integrity check ${checkId}.`);
  if (check.status === "running" || !check.report)
    return jsonReply(
      context,
      202,
      { checkId, status: "running", from: check.from, to: check.to },
      {
        location: `${apiBaseUrl(request)}/audit/integrity/checks/${checkId}`,
        "retry-after": checkRetryAfterSeconds,
      },
    );
  return jsonReply(context, 200, shownReport(check.report));
}

app.http("verifyAuditIntegrity", {
  route: "audit/integrity",
  methods: ["GET"],
  authLevel: "admin",
  handler: traced(verifyAuditIntegrity, {
    operation: "VerifyAuditIntegrity",
    subject: "the audit's integrity",
    room: integrityRoom,
  }),
});

app.http("getAuditIntegrityCheck", {
  route: "audit/integrity/checks/{checkId}",
  methods: ["GET"],
  authLevel: "admin",
  handler: traced(getAuditIntegrityCheck, {
    operation: "GetAuditIntegrityCheck",
    subject: "the integrity check",
    room: integrityRoom,
  }),
});
