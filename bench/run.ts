/**
 * `npm run bench`: runs every benchmark module in this folder (dist/bench/*.bench.js) one after the
 * other, or only those whose names match the arguments, in any case (e.g. `npm run bench -- getJob coldstart`).
 * Each module exports `run(): Promise<void>` and prints its own figures.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.js"))
    .filter((f) => filters.length === 0 || filters.some((x) => f.toLowerCase().includes(x.toLowerCase())))
    .sort();
  if (files.length === 0) throw new Error(`No benchmark matches ${filters.join(", ")}`);
  for (const file of files) {
    console.log(`\n### ${file.replace(/\.bench\.js$/, "")}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(__dirname, file)) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
