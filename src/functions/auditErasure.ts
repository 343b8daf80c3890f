import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { eraseUser, erasureIdPattern, getErasure, type ErasureRecord } from "../audit/redaction";
import { getConfig } from "../config";
import { auditReplyToError } from "../http/auditReplies";
import { apiBaseUrl } from "../http/links";
import { errorReply, jsonReply } from "../http/replies";
import { traced, type TracedCall } from "../http/tracedHandler";
import { getAuditStore, getPrivacyPolicy } from "../services";
import { InputError, PseudonymKeyUnavailableError } from "../errors";
import { emitAuditErasure } from "../telemetry";
import { assertQueryAllowed } from "../validation";

/** The erasure as the API shows it: when, by whom, how many rows; never the person. */
function publicErasure(record: ErasureRecord): Record<string, unknown> {
  const { subject: _subject, keyId: _keyId, ...shown } = record;
  return shown;
}

/** The person to erase: a UPN or user id, 1-256 characters without control characters. */
async function parseErasureBody(request: HttpRequest): Promise<string> {
  const text = await request.text();
  if (text.length > 4096)
    throw new InputError("body", 'The body must be a small JSON object: { "user": "<UPN or user id>" }.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InputError("body", 'The body must be JSON: { "user": "<UPN or user id>" }.');
  }
  const user = (body as { user?: unknown } | null)?.user;
  // eslint-disable-next-line no-control-regex
  if (typeof user !== "string" || user.trim().length === 0 || user.length > 256 || /[\u0000-\u001f\u007f]/.test(user)) {
    throw new InputError("user", "user must be the person's user principal name or user id (1-256 characters).");
  }
  const extra = Object.keys(body as object).filter((k) => k !== "user");
  if (extra.length > 0) throw new InputError(extra[0]!, "Only user is accepted in the body.");
  return user.trim();
}

/** Who asked: the signed-in principal when App Service authentication is on, else the admin key. */
function requester(request: HttpRequest): string {
  const name = request.headers.get("x-ms-client-principal-name");
  const id = request.headers.get("x-ms-client-principal-id");
  const principal = [name, id].filter((v): v is string => !!v).join(" ");
  return principal ? `principal ${principal.replace(/[^\w.@ -]/g, "_").slice(0, 150)} with the admin key` : "admin key";
}

/** Erases one person from every audit table: 200 with the rows changed, or 202 with Location when it takes longer. */
export async function eraseAuditUser(
  request: HttpRequest,
  context: InvocationContext,
  call: TracedCall,
): Promise<HttpResponseInit> {
  assertQueryAllowed(request.query, []);
  const user = await parseErasureBody(request);
  const policy = await getPrivacyPolicy();
  if (!policy.key)
    throw new PseudonymKeyUnavailableError(
      "Setting AUDIT_HASH_KEY is not set: the erasure list is keyed with it, so erasure needs it (the Bicep wires a Key Vault secret).",
    );
  const deadline = call.startedAt + Math.floor(getConfig().http.deadlineInMs * 0.6);
  const erasure = await eraseUser(getAuditStore(), { ...policy, key: policy.key }, user, {
    requestedBy: requester(request),
    deadline,
  });
  context.log(`auditErasure erasure=${erasure.erasureId} status=${erasure.status} rowsChanged=${erasure.rowsChanged}`);
  const { erasureId, status, rowsChanged } = erasure;
  emitAuditErasure(context, { erasureId, status, rowsChanged, durationMs: Date.now() - call.startedAt });
  if (erasure.status === "completed") return jsonReply(context, 200, publicErasure(erasure));
  return jsonReply(context, 202, publicErasure(erasure), {
    location: `${apiBaseUrl(request)}/audit/erasures/${erasure.erasureId}`,
    "retry-after": "60",
  });
}

/** The record of one erasure (status, rows changed so far). */
export async function getAuditErasure(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  assertQueryAllowed(request.query, []);
  const erasureId = request.params.erasureId ?? "";
  if (!erasureIdPattern.test(erasureId))
    throw new InputError(
      "erasureId",
      "erasureId must be an id this API handed out, such as 20261129T200102345Z-0a1b2c3d4e5f.",
    );
  const erasure = await getErasure(getAuditStore(), erasureId);
  if (!erasure) return errorReply(context, 404, "notFound", `There is no erasure ${erasureId}.`);
  return jsonReply(context, 200, publicErasure(erasure), erasure.status === "running" ? { "retry-after": "60" } : {});
}

app.http("eraseAuditUser", {
  route: "audit/erasures",
  methods: ["POST"],
  authLevel: "admin",
  handler: traced(eraseAuditUser, {
    operation: "EraseAuditUser",
    subject: "the erasure",
    replyToError: auditReplyToError,
  }),
});

app.http("getAuditErasure", {
  route: "audit/erasures/{erasureId}",
  methods: ["GET"],
  authLevel: "admin",
  handler: traced(getAuditErasure, {
    operation: "GetAuditErasure",
    subject: "the erasure",
    replyToError: auditReplyToError,
  }),
});
