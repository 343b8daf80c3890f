import { type PipelinePolicy } from "@azure/core-rest-pipeline";
import { RetryAfterTooLongError } from "../../errors";
import { retryAfterInMs } from "../errorResponse";

/** The programmatic identifier of the retryAfterBudgetPolicy. */
export const retryAfterBudgetPolicyName = "retryAfterBudgetPolicy";

/**
 * A 429/503 asking for a pause longer than `maxRetryAfterInMs` ends the call at once (the retry policy lets a
 * RetryAfterTooLongError through), so an interactive caller gets the Retry-After instead of a long wait.
 */
export function retryAfterBudgetPolicy(maxRetryAfterInMs: number): PipelinePolicy {
  return {
    name: retryAfterBudgetPolicyName,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 || response.status === 503) {
        const wait = retryAfterInMs(response.headers);
        if (wait !== undefined && wait > maxRetryAfterInMs) throw new RetryAfterTooLongError(response);
      }
      return response;
    },
  };
}
