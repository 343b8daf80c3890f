import { readFileSync } from "node:fs";
import { join } from "node:path";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { nextOccurrence } from "../audit/nextRun";
import { getConfig } from "../config";
import { errorReply, replyHeaders } from "../http/replies";

/** The page built by `npm run build:viewer`: dist/viewer/index.html beside dist/src/functions. */
const pageDir = join(__dirname, "..", "..", "viewer");

let page: { html: string; csp: string } | undefined;

function loadPage(): { html: string; csp: string } {
  page ??= {
    html: readFileSync(join(pageDir, "index.html"), "utf8"),
    csp: readFileSync(join(pageDir, "csp.txt"), "utf8").trim(),
  };
  return page;
}

function attribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * The audit viewer: one self-contained page (script and styles inlined) that reads the audit API from
 * the browser. It holds no audit data, so it is anonymous; every data call it makes needs the audit
 * API's own key or sign-in. It carries only the audit schedule, to say when the next run is due.
 */
export async function auditViewer(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let loaded: { html: string; csp: string };
  try {
    loaded = loadPage();
  } catch (error) {
    context.error(`The viewer page is missing from ${pageDir}: ${(error as Error).message}`);
    return errorReply(
      context,
      500,
      "viewerNotBuilt",
      "The audit viewer was not built with the app: run npm run build (it runs build:viewer) and deploy again.",
    );
  }
  const { schedule } = getConfig().audit;
  const next = nextOccurrence(schedule, new Date());
  const html = loaded.html
    .replace('name="audit-schedule" content=""', `name="audit-schedule" content="${attribute(schedule)}"`)
    .replace('name="audit-next-run" content=""', `name="audit-next-run" content="${next ? next.toISOString() : ""}"`);
  return {
    status: 200,
    body: html,
    headers: {
      ...replyHeaders(context),
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": loaded.csp,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    },
  };
}

app.http("auditViewer", {
  route: "audit/ui",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: auditViewer,
});
