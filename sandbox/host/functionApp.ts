/** Finds and loads the built app the way the Node worker does: package.json's `main`, each file with require(). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { installFunctionsCore, registrations, type Registration } from "./functionsCore";

/** The repository root (where package.json is), from dist/sandbox/host or sandbox/host. */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file) && readFileSync(file, "utf8").includes('"name": "universal-print-jobs"')) return dir;
  }
  throw new Error(`No universal-print-jobs package.json above ${__dirname}`);
}

/** Expands package.json's `main` the way the worker does: braces and a `*` in the file name. */
export function expandMain(root: string, main: string): string[] {
  const braces = /\{([^}]*)\}/.exec(main);
  const patterns = braces ? braces[1]!.split(",").map((alt) => main.replace(braces[0], alt)) : [main];
  return patterns.flatMap((pattern) => {
    const dir = join(root, dirname(pattern));
    const file = pattern.split("/").pop()!;
    if (!file.includes("*")) return [join(root, pattern)];
    const regex = new RegExp(`^${file.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
    return readdirSync(dir)
      .filter((f) => regex.test(f))
      .sort()
      .map((f) => join(dir, f));
  });
}

/** Loads the built app as the worker does: every file matched by package.json's `main`. Returns what registered. */
export function loadFunctionApp(root = repoRoot()): Registration[] {
  installFunctionsCore();
  const main = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string }).main;
  // The worker loads each entry file with require() (CommonJS app).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of expandMain(root, main)) require(file);
  return registrations;
}
