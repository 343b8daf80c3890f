// Checks the figures of docs/reliability-and-security.md (and any the README quotes) against what the suites
// printed: reads the suites' output (stdin or the files given), takes every `FIGURES <suite>: name=value ...` line,
// and for each `name=value` those pages quote in code whose name those lines print, requires a line to print that value.
// Figures of runs not given (e.g. the benches) are left alone. Exit 1, naming each mismatch.
//   npm run test:faults 2>&1 | tee faults.log; node scripts/check-readme-figures.mjs faults.log
import { readFileSync } from "node:fs";

const input =
  process.argv.length > 2
    ? process.argv
        .slice(2)
        .map((f) => readFileSync(f, "utf8"))
        .join("\n")
    : readFileSync(0, "utf8");
const printed = new Map(); // name -> Set of values printed
for (const [, , pairs] of input.matchAll(/FIGURES ([\w-]+): (.*)$/gm)) {
  for (const [, name, value] of pairs.matchAll(/(\w+)=(\S+)/g)) {
    if (!printed.has(name)) printed.set(name, new Set());
    printed.get(name).add(value);
  }
}
if (printed.size === 0) {
  console.error("check-readme-figures: no FIGURES lines in the input.");
  process.exit(1);
}
const pages = ["docs/reliability-and-security.md", "README.md"];
const quoted = pages.flatMap((page) => {
  const text = readFileSync(new URL(`../${page}`, import.meta.url), "utf8");
  return [...text.matchAll(/`([^`]+)`/g)].flatMap(([, code]) =>
    [...code.matchAll(/(\w+)=(\S+)/g)].map(([, name, value]) => ({ page, name, value })),
  );
});
let checked = 0;
const wrong = [];
for (const { page, name, value } of quoted) {
  if (!printed.has(name)) continue;
  checked++;
  if (!printed.get(name).has(value))
    wrong.push(`${page} says ${name}=${value}; the suites printed ${name}=${[...printed.get(name)].join(" or ")}`);
}
for (const line of wrong) console.error(`check-readme-figures: ${line}`);
console.log(
  `check-readme-figures: ${checked} figures of ${pages.join(" and ")} checked against ${printed.size} printed names, ${wrong.length} differ.`,
);
process.exit(wrong.length > 0 ? 1 : 0);
