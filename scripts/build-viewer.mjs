// `npm run build:viewer`: bundles the audit viewer (src/viewer, browser TypeScript) with esbuild into one
// self-contained page, dist/viewer/index.html, with its script and styles inlined (no CDN, no fonts), and the
// Content-Security-Policy that allows exactly those inlined blocks (dist/viewer/csp.txt). The bundle follows
// main.ts's imports, src/contract (what the server and the viewer share) included.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "viewer");
const out = join(root, "dist", "viewer");

const bundle = await build({
  entryPoints: [join(source, "main.ts")],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "warning",
});
// "</script" inside the inlined script would end the element early.
const script = bundle.outputFiles[0].text.replace(/<\/script/gi, "<\\/script").trim();
const style = readFileSync(join(source, "style.css"), "utf8").trim();
const sha256 = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const csp = [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(style)}`,
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
const template = readFileSync(join(source, "index.html"), "utf8");
const html = template
  .replace("<!--style-->", () => `<style>${style}</style>`)
  .replace("<!--script-->", () => `<script>${script}</script>`);
if (html === template) throw new Error("src/viewer/index.html lacks the <!--style--> and <!--script--> markers");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "index.html"), html);
writeFileSync(join(out, "csp.txt"), csp);
console.log(
  `viewer: dist/viewer/index.html ${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB (script ${(Buffer.byteLength(script) / 1024).toFixed(1)} KiB)`,
);
