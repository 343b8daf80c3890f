/**
 * Every value of the Graph enums the viewer puts in words has words: the members of Microsoft's own models
 * (@microsoft/msgraph-sdk), so a member Microsoft documents is never shown as a bare enum name. The viewer's
 * module is browser code outside the server build: bundled here with esbuild, as build:viewer does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";
import { repoRoot } from "../../sandbox/host/functionApp";

type Words = Record<string, Record<string, string>>;

async function viewerWords(): Promise<{ graphWords: Words; wordsFor: (kind: string, value: string) => unknown }> {
  const bundle = await build({
    entryPoints: [join(repoRoot(), "src", "viewer", "graphWords.ts")],
    bundle: true,
    format: "cjs",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const dir = mkdtempSync(join(tmpdir(), "graph-words-"));
  try {
    const file = join(dir, "graphWords.cjs");
    writeFileSync(file, bundle.outputFiles[0]!.text);
    return createRequire(__filename)(file) as { graphWords: Words; wordsFor: (kind: string, value: string) => unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("each member of Graph's printColorMode, printDuplexMode, printOrientation and printJobStateDetail has words, and only those", async () => {
  const models = (await import("@microsoft/msgraph-sdk/models/index.js")) as unknown as Record<
    string,
    Record<string, string>
  >;
  const { graphWords } = await viewerWords();
  const sdkEnums: Record<string, string> = {
    colorMode: "PrintColorModeObject",
    duplexMode: "PrintDuplexModeObject",
    orientation: "PrintOrientationObject",
    jobStateDetail: "PrintJobStateDetailObject",
  };
  assert.deepEqual(Object.keys(graphWords).sort(), Object.keys(sdkEnums).sort());
  for (const [kind, sdkName] of Object.entries(sdkEnums)) {
    const members = Object.values(models[sdkName]!).sort();
    assert.deepEqual(Object.keys(graphWords[kind]!).sort(), members, `${kind} covers ${sdkName}`);
    for (const member of members)
      assert.doesNotMatch(graphWords[kind]![member]!, /[a-z][A-Z]/, `${kind}.${member} reads as words`);
  }
});

test("a value not in Graph's model, or an inherited property name, has no words and is shown as recorded", async () => {
  const { wordsFor } = await viewerWords();
  assert.equal(wordsFor("colorMode", "sepiaTone"), undefined);
  assert.equal(wordsFor("colorMode", "constructor"), undefined);
  assert.equal(wordsFor("duplexMode", "__proto__"), undefined);
  assert.equal(wordsFor("duplexMode", "flipOnLongEdge"), "Two-sided, long edge");
});
