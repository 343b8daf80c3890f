import { isRestError, RestError, type PipelinePolicy } from "@azure/core-rest-pipeline";

/** The programmatic identifier of the cutBodyAsResetPolicy. */
export const cutBodyAsResetPolicyName = "cutBodyAsResetPolicy";

/**
 * A connection cut while the body is read surfaces as PARSE_ERROR, which the retry policy does not retry;
 * for Graph's GETs it is the same transport failure as a reset, so it is retried like one.
 */
export function cutBodyAsResetPolicy(): PipelinePolicy {
  return {
    name: cutBodyAsResetPolicyName,
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (error) {
        if (isRestError(error) && error.code === RestError.PARSE_ERROR && !request.abortSignal?.aborted) {
          throw new RestError(`The connection to Microsoft Graph broke while its answer was read (${error.message}).`, {
            code: "ECONNRESET",
            request,
          });
        }
        throw error;
      }
    },
  };
}
