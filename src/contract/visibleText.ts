/**
 * Recorded text as people see it (the CSV export and the viewer): characters that are invisible or that
 * steer the display (direction overrides, isolates and marks, zero-width and other format characters,
 * controls) are shown as markers such as ⟨U+202E⟩ instead of being applied. The JSON API keeps values as
 * recorded. Shared by the server and the viewer's browser bundle, so it must stay free of Node APIs.
 */

/**
 * Unicode format characters (category Cf: bidi controls U+202A–U+202E and U+2066–U+2069, marks U+200E, U+200F
 * and U+061C, zero-widths U+200B–U+200D, U+2060–U+2064, U+FEFF, the soft hyphen U+00AD, tags…), line and
 * paragraph separators (a paragraph separator ends bidi isolation), controls (tab and line breaks are kept,
 * see marker), lone surrogates, and the Hangul fillers and combining grapheme joiner that draw nothing.
 */
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115F\u3164\uFFA0]|\u034F|\u1160/gu;
/** Controls that are layout in a CSV cell or a page, not hidden content. */
const keptControls = new Set(["\t", "\n", "\r"]);

function marker(character: string): string {
  if (keptControls.has(character)) return character;
  return `⟨U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

/** The text with every invisible or display-steering character replaced by a visible ⟨U+XXXX⟩ marker. */
export function visibleText(text: string): string {
  return text.replace(invisible, marker);
}
