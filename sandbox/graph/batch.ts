/** Graph's JSON $batch: up to 20 steps with unique, non-empty ids, each answered as its own request would be. */
import { graphError, type Answer } from "./answers";

/** A step's answer, given its method, its path (without /v1.0) and its URL (for the query). */
export type BatchStep = (method: string, path: string, url: URL) => Promise<Answer>;

export async function answerBatch(body: unknown, answerStep: BatchStep): Promise<Answer> {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return graphError(400, "BadRequest", "Invalid batch payload format.");
  if (requests.length > 20)
    return graphError(400, "BadRequest", "Number of batch request steps exceeds the maximum value of 20.");
  const ids = new Set<string>();
  const responses = [];
  for (const raw of requests as { id?: unknown; method?: unknown; url?: unknown }[]) {
    const id = String(raw.id ?? "");
    if (!id || ids.has(id)) return graphError(400, "BadRequest", "Batch request ids must be unique and non-empty.");
    ids.add(id);
    const method = String(raw.method ?? "GET").toUpperCase();
    // A step's url is relative to the version ("/print/..." or "print/..."); a "/v1.0" before it is dropped.
    const url = new URL(String(raw.url ?? "/"), "http://x/");
    const path = decodeURIComponent(url.pathname).replace(/^\/v1\.0/, "");
    const answer = await answerStep(method, path, url);
    responses.push({
      id,
      status: answer.status,
      headers: { "content-type": "application/json", ...answer.headers },
      body: answer.body,
    });
  }
  return { status: 200, body: { responses } };
}
