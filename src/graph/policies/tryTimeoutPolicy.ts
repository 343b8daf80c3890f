import { RestError, type PipelinePolicy } from "@azure/core-rest-pipeline";

/** The programmatic identifier of the tryTimeoutPolicy. */
export const tryTimeoutPolicyName = "tryTimeoutPolicy";

/** Per-try timeout that the retry policy treats as a retriable network error (it would not retry an abort). */
export function tryTimeoutPolicy(tryTimeoutInMs: number): PipelinePolicy {
  return {
    name: tryTimeoutPolicyName,
    async sendRequest(request, next) {
      const callerSignal = request.abortSignal;
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      callerSignal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => controller.abort(), tryTimeoutInMs);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (error) {
        if (controller.signal.aborted && !callerSignal?.aborted) {
          throw new RestError(`Microsoft Graph did not answer within ${tryTimeoutInMs} ms.`, {
            code: "ETIMEDOUT",
            request,
          });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onAbort);
        request.abortSignal = callerSignal;
      }
    },
  };
}
