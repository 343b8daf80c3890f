/**
 * Graph's enum values and codes in words an auditor reads, with the value as Graph sent it on hover. The
 * members are those of Microsoft's models (@microsoft/msgraph-sdk; test/viewer/graphWords.test.ts checks that
 * every member has words); a value Graph adds later is shown as recorded.
 */
import { h, type Child } from "./dom";
import { text } from "./rows";

/** printColorMode, printDuplexMode, printOrientation and printJobStateDetail, by member. */
export const graphWords = {
  colorMode: {
    blackAndWhite: "Black and white",
    grayscale: "Greyscale",
    color: "Colour",
    auto: "Colour chosen by the printer",
    unknownFutureValue: "Colour mode not known to Graph's v1.0 model",
  },
  duplexMode: {
    oneSided: "One-sided",
    flipOnLongEdge: "Two-sided, long edge",
    flipOnShortEdge: "Two-sided, short edge",
    unknownFutureValue: "Sides not known to Graph's v1.0 model",
  },
  orientation: {
    portrait: "Portrait",
    landscape: "Landscape",
    reversePortrait: "Portrait, upside down",
    reverseLandscape: "Landscape, upside down",
    unknownFutureValue: "Orientation not known to Graph's v1.0 model",
  },
  jobStateDetail: {
    uploadPending: "Document not uploaded yet",
    transforming: "Being converted for the printer",
    interpreting: "Being read by the printer",
    releaseWait: "Waiting to be released at the printer",
    completedSuccessfully: "Completed successfully",
    completedWithWarnings: "Completed with warnings",
    completedWithErrors: "Completed with errors",
    unknownFutureValue: "Detail not known to Graph's v1.0 model",
  },
} as const satisfies Record<string, Record<string, string>>;

export type GraphEnum = keyof typeof graphWords;

/** Which of Graph's properties each enum is, for the tooltip ("colorMode: blackAndWhite"). */
const property: Record<GraphEnum, string> = {
  colorMode: "colorMode",
  duplexMode: "duplexMode",
  orientation: "orientation",
  jobStateDetail: "status.details",
};

/** The words for a recorded value, or undefined for a value this viewer does not know (shown as recorded). */
export function wordsFor(kind: GraphEnum, value: string): string | undefined {
  const words: Record<string, string> = graphWords[kind];
  return Object.hasOwn(words, value) ? words[value] : undefined;
}

/** A recorded enum value in words, Graph's value on hover; an unknown value as recorded. */
export function enumWords(kind: GraphEnum, value: unknown): Child {
  const raw = text(value);
  if (raw === undefined) return null;
  const words = wordsFor(kind, raw);
  return h("span", { class: "graph-word", title: `${property[kind]}: ${raw}` }, words ?? raw);
}

/** Graph's status.details, recorded comma-separated ("completedSuccessfully"), each in words. */
export function detailWords(value: unknown): Child {
  const raw = text(value);
  if (raw === undefined) return null;
  const parts = raw
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0) return raw;
  return parts.flatMap((part, i) => [i ? "; " : null, enumWords("jobStateDetail", part)]);
}

/** Graph documents printJob.errorCode only as "the error code of the print job": no meaning of the numbers. */
export const errorCodeNote =
  'Microsoft documents errorCode only as "the error code of the print job", with no meaning for the numbers; the job\'s description and details are what the print service said.';

/** An error code as the job list shows it: the number, said to be Graph's, with what is known on hover. */
export function errorCodeLine(code: string): HTMLElement {
  return h("span", { class: "sub", title: `errorCode: ${code}. ${errorCodeNote}` }, "Graph error code ", code);
}

/** An error code on the job's page: the number and, beside it, that Graph gives no meaning for it. */
export function errorCodeFact(code: string | undefined): Child {
  if (code === undefined) return null;
  return [
    h("span", { title: `errorCode: ${code}` }, code),
    h(
      "span",
      { class: "sub" },
      "Graph reports this number with no documented meaning; see the description and details.",
    ),
  ];
}
