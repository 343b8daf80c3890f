/**
 * Supply chain, offline: every dependency is pinned by the lock file (exact version and integrity hash, in
 * step with package.json, installed in CI with `npm ci`), and no runtime dependency needs an install script.
 * The advisory check (`npm audit --omit=dev --audit-level=high`) needs the registry: .ci/run runs it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../sandbox/host/functionApp";

interface LockEntry {
  version?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
  resolved?: string;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const installed = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && !entry.link);
/**
 * Packages of the repository itself, installed from a folder (`file:`): pinned by git, not by a registry's version
 * and hash. The one there is the empty stand-in for Azurite's telemetry SDK (scripts/stubs/applicationinsights).
 */
const fromRepository = (path: string): boolean => !path.startsWith("node_modules/");

describe("dependencies are pinned by the lock file", () => {
  test("the lock file is in step with package.json", () => {
    assert.ok(lock.lockfileVersion >= 2);
    assert.deepEqual(lock.packages[""]!.dependencies, pkg.dependencies);
    assert.deepEqual(lock.packages[""]!.devDependencies, pkg.devDependencies);
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      const entry = lock.packages[`node_modules/${name}`];
      const local = entry?.link && typeof entry.resolved === "string" && fromRepository(entry.resolved);
      assert.ok(entry?.version || local, `${name} is locked`);
    }
  });

  test("every locked package has an exact version and an integrity hash", () => {
    const loose = installed.filter(
      ([p, e]) =>
        !fromRepository(p) && (!e.version || !/^\d+\.\d+\.\d+/.test(e.version) || !/^sha512-/.test(e.integrity ?? "")),
    );
    assert.deepEqual(
      loose.map(([p]) => p),
      [],
    );
  });

  test("a package installed from the repository's own folders is a development package", () => {
    const local = installed.filter(([path]) => fromRepository(path));
    assert.deepEqual(
      local.filter(([, e]) => !e.dev).map(([path]) => path),
      [],
      "the app would deploy it",
    );
  });

  test("CI installs with npm ci, from the lock file", () => {
    const ci = readFileSync(join(root, ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci\b/m);
    assert.doesNotMatch(ci, /^npm (install|i)\b/m);
  });
});

describe("no install scripts at run time", () => {
  test("no runtime dependency has an install script", () => {
    const runtime = installed.filter(([, e]) => !e.dev && !e.devOptional);
    assert.ok(runtime.length >= Object.keys(pkg.dependencies).length, "runtime dependencies are in the lock");
    const scripted = runtime.filter(([, e]) => e.hasInstallScript).map(([p]) => p);
    assert.deepEqual(scripted, [], "these would run code at install time on the function app");
    console.log(
      `FIGURES supply-chain: lockedPackages=${installed.length} runtimePackages=${runtime.length} runtimeInstallScripts=${scripted.length}`,
    );
  });
});
