/**
 * Hostile input, shared by the suites that try it: a corpus of values as sent on the wire (already
 * percent-encoded where the wire needs it), and fast-check arbitraries that mix them into near-valid input.
 */
import fc from "fast-check";

/** Values as they appear in a URL: path traversal, encoded and double-encoded slashes, look-alikes, NUL, CRLF, huge. */
export const hostileWireValues: readonly string[] = [
  "..",
  "../..",
  "..%2F..%2Fme",
  "%2e%2e",
  "%2e%2e%2f%2e%2e%2fme",
  "%2E%2E%5C%2E%2E%5Cme",
  "%2F",
  "5182%2F..%2F..%2Fusers",
  "%252F",
  "5182%252F..%252Fme",
  "%25252F",
  "%EF%BC%8F", // fullwidth solidus U+FF0F
  "5182%EF%BC%8F..%EF%BC%8F",
  "%E2%88%95", // division slash U+2215
  "%E2%81%84", // fraction slash U+2044
  "%EF%BC%95%EF%BC%91%EF%BC%98%EF%BC%92", // fullwidth digits that read as 5182
  "%D9%A5%D9%A1%D9%A8%D9%A2", // Arabic-Indic digits
  "c05f3726%E2%80%900d4b-4aa1-8fe9-2eb981bb26fb", // a GUID with a Unicode hyphen
  "%00",
  "5182%00",
  "5182%00.json",
  "%0D%0A",
  "5182%0D%0ASet-Cookie:%20x=1",
  "%E2%80%AE5182", // right-to-left override
  "%C0%AF", // overlong UTF-8 slash
  "%",
  "%zz",
  "%E0%A4%A",
  "%3F",
  "5182%3F%24expand%3Dprinter",
  "%23",
  "%26%24filter%3Dx",
  "%20",
  "5182%20",
  "%09",
  "'",
  "'%20or%20'a'%20eq%20'a",
  "$batch",
  "$metadata",
  "me",
  "~",
  "@",
  ":",
  "*",
  "{jobId}",
  "a".repeat(10_240),
  "%2F".repeat(3_000),
  "9".repeat(10_240),
];

/** Query option names a caller could try, besides the ones the routes document. */
export const hostileQueryNames: readonly string[] = [
  "$filter",
  "$top",
  "$skiptoken",
  "$search",
  "$orderby",
  "$apply",
  "$format",
  "api-version",
  "user",
  "upn",
  "printerId",
  "from",
  "to",
  "%24select",
  "$SELECT",
  "",
];

const hostileFragments = [
  "/",
  "\\",
  "..",
  ".",
  "%2F",
  "%252F",
  "\uFF0F",
  "\u2215",
  "\u0000",
  "\r\n",
  "?",
  "#",
  "&",
  "=",
  ",",
  "'",
  " ",
  "(",
  ")",
  "$",
  "@",
  "\u202E",
  "\uFF15",
  "\u0660",
  "\u2010",
  "\uD800",
];

/** Strings near the grammar: valid characters with hostile fragments spliced in, or any Unicode text. */
export function nearValid(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid, weight: 4 },
    fc.tuple(valid, fc.constantFrom(...hostileFragments), valid).map(([a, f, b]) => `${a}${f}${b}`),
    fc
      .array(fc.oneof(fc.constantFrom(...hostileFragments), fc.string({ maxLength: 4 })), { maxLength: 8 })
      .map((parts) => parts.join("")),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.nat({ max: 20_000 }).map((n) => "a".repeat(n)),
  );
}

export const guid = fc.uuid().chain((u) => fc.mixedCase(fc.constant(u)));
export const jobIdLike = fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/);
export const propertyLike = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,63}$/);
