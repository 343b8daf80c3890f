/**
 * Runs a bundle (one CommonJS file holding a program and the packages it loads) with V8's code cache: the code V8
 * compiled for it in an earlier process, so this one does not compile it again. auditLaneStart.ts starts the fault
 * suites' audit workers this way.
 *
 * The cache is V8's own (vm.Script's cachedData): V8 refuses one made by another V8 or with other flags, and the
 * bundle is then compiled as usual. It sits beside the bundle, named by the bundle's SHA-256, so a rebuilt bundle never
 * meets an old cache; `keepCache()` writes it (once, and only when there was none or V8 refused it) when the caller has
 * run what is worth keeping compiled.
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

export interface CachedBundle<T> {
  /** What the bundle exported. */
  exports: T;
  /** Keeps what V8 has compiled of the bundle so far as its code cache (when there was none, or V8 refused it). */
  keepCache(): void;
}

export function runCachedBundle<T>(bundle: string): CachedBundle<T> {
  const source = readFileSync(bundle, "utf8");
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const cacheFile = bundle.replace(/\.js$/, `.${digest}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: keepCache() makes one.
  }
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} as T, filename: bundle, id: bundle };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  let keep = !cachedData || script.cachedDataRejected === true;
  return {
    exports: module.exports,
    keepCache() {
      if (!keep) return;
      keep = false;
      // Written whole, then renamed: workers started at once may each write one, and none reads half of one.
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    },
  };
}
