// No import cycles in src/, type imports included: reads every module's imports with TypeScript's own
// pre-processor (ts.preProcessFile: static imports, `import type`, re-exports, `import("...")`), resolves the
// relative ones to files, and reports each strongly connected group of files that import each other.
//   node scripts/check-import-cycles.mjs [root ...]     (default: src)     exit 1 on a cycle, naming one path of it
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Every .ts file under a directory (no declaration files). */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The file a relative specifier names: ./x -> x.ts, x/index.ts (a ".js" ending is the built name of a .ts). */
function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** file -> the files it imports (relative specifiers only: packages cannot import us back). */
export function importGraph(roots) {
  const graph = new Map();
  for (const file of roots.flatMap((root) => sourceFiles(root))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => resolve(file, name))
      .filter((target) => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected groups of more than one file, or of one file that imports itself (Tarjan). */
export function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One closed path through a group, for the message: a -> b -> ... -> a (breadth first from its first file). */
export function pathThrough(graph, group) {
  const members = new Set(group);
  const start = group[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const back = [];
        for (let at = node; at !== undefined; at = previous.get(at)) back.push(at);
        return [...back.reverse(), start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : ["src"];
  const graph = importGraph(roots.map((root) => path.resolve(root)));
  const found = cycles(graph);
  const shown = (file) => path.relative(process.cwd(), file);
  for (const group of found) {
    console.error(
      `check-import-cycles: ${group.length} files import each other: ${pathThrough(graph, group).map(shown).join(" -> ")}`,
    );
  }
  if (found.length > 0) process.exit(1);
  console.log(`check-import-cycles: no import cycle among ${graph.size} modules under ${roots.join(", ")}.`);
}
