// A reporter for Node's test runner that writes one JSON line per skipped test or suite (name, file, reason),
// so scripts/run-tests.mjs can close with one line saying what was skipped and what runs it.
export default async function* skippedTests(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { skip, name, file, details } = event.data;
    if (skip === undefined || skip === false) continue;
    const reason = typeof skip === "string" ? skip : "";
    yield `${JSON.stringify({ name, file, reason, suite: details?.type === "suite" })}\n`;
  }
}
