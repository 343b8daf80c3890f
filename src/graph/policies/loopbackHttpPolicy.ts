import {
  bearerTokenAuthenticationPolicy,
  bearerTokenAuthenticationPolicyName,
  type BearerTokenAuthenticationPolicyOptions,
  type Pipeline,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { isLoopbackHost } from "../../validation";

/*
 * The bearer policy refuses plain-http URLs. The only plain-http Graph (or Key Vault) the settings allow is a loopback
 * one (the offline simulators), so that one is presented to the bearer policy as https and sent as http.
 */

/** The programmatic identifier of the loopbackHttpBeforeSignPolicy. */
export const loopbackHttpBeforeSignPolicyName = "loopbackHttpBeforeSignPolicy";
/** The programmatic identifier of the loopbackHttpAfterSignPolicy. */
export const loopbackHttpAfterSignPolicyName = "loopbackHttpAfterSignPolicy";

const loopbackMark = "x-upj-loopback-http";

export function isLoopbackHttpUrl(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/** Before the bearer policy: a loopback http URL is marked and shown as https. */
export function loopbackHttpBeforeSignPolicy(): PipelinePolicy {
  return {
    name: loopbackHttpBeforeSignPolicyName,
    sendRequest(request, next) {
      if (isLoopbackHttpUrl(new URL(request.url))) {
        request.url = "https" + request.url.slice("http".length);
        request.headers.set(loopbackMark, "1");
      }
      return next(request);
    },
  };
}

/** After the bearer policy: a marked URL goes back to http, and is allowed to. */
export function loopbackHttpAfterSignPolicy(): PipelinePolicy {
  return {
    name: loopbackHttpAfterSignPolicyName,
    sendRequest(request, next) {
      if (request.headers.get(loopbackMark)) {
        request.headers.delete(loopbackMark);
        request.url = "http" + request.url.slice("https".length);
        request.allowInsecureConnection = true;
      }
      return next(request);
    },
  };
}

/** core-rest-pipeline's bearer token policy, with the loopback pair around it (Graph's and Key Vault's pipelines). */
export function addBearerTokenPolicies(pipeline: Pipeline, options: BearerTokenAuthenticationPolicyOptions): void {
  pipeline.addPolicy(bearerTokenAuthenticationPolicy(options), { phase: "Sign" });
  pipeline.addPolicy(loopbackHttpBeforeSignPolicy(), {
    phase: "Sign",
    beforePolicies: [bearerTokenAuthenticationPolicyName],
  });
  pipeline.addPolicy(loopbackHttpAfterSignPolicy(), {
    phase: "Sign",
    afterPolicies: [bearerTokenAuthenticationPolicyName],
  });
}
