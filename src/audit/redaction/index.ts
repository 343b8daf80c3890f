/**
 * Rewriting what was stored to what the privacy policy stores now: one job at a time (jobRewrite.ts), by the
 * audit timer's background pass when the policy, the key or the erasure list changes (rewritePass.ts, its
 * state in passState.ts), and for one person on request (erasure.ts), whose pseudonyms go on the sticky
 * erasure list first (erasureList.ts) so the recorder stores their later jobs erased.
 */
export { eraseUser, erasureIdPattern, getErasure, type ErasureRecord } from "./erasure";
export { withErasureList } from "./erasureList";
export { redactionFaultPoints, runRedaction } from "./rewritePass";
