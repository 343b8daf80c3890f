import { type PipelinePolicy } from "@azure/core-rest-pipeline";
import { noteGraphRequest } from "../usage";

/** The programmatic identifier of the usagePolicy. */
export const usagePolicyName = "usagePolicy";

/** Counts each try sent to Graph (status, latency, throttling) on the work that sent it (usage.ts). */
export function usagePolicy(): PipelinePolicy {
  return {
    name: usagePolicyName,
    async sendRequest(request, next) {
      const started = Date.now();
      try {
        const response = await next(request);
        const retryAfter = response.headers.has("retry-after") || response.headers.has("retry-after-ms");
        noteGraphRequest(response.status, Date.now() - started, retryAfter);
        return response;
      } catch (error) {
        noteGraphRequest(0, Date.now() - started, false);
        throw error;
      }
    },
  };
}
