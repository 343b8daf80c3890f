/**
 * Starts a warm audit worker (auditLane.ts) from its bundle (scripts/bundle-audit-lane.mjs, part of `npm run build`):
 * the worker, the local host and the built app with its packages in one file, run with V8's code cache
 * (cachedBundle.ts), which the first worker keeps after its first delivery. A killed worker's replacement starts cold,
 * and the crash suites start one per crash point tried (about 130 in a run).
 */
import type * as lane from "./auditLane";
import { laneBundle } from "./auditLanes";
import { runCachedBundle } from "./cachedBundle";

const { exports: worker, keepCache } = runCachedBundle<typeof lane>(laneBundle);
worker.afterFirstDelivery(keepCache);
