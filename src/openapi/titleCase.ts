const minorWords = new Set(["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"]);

/** Power Platform shows x-ms-summary as a title: Title Case, minor words lower-case (but the first). */
export function titleCase(text: string): string {
  return text
    .split(" ")
    .map((word, i) =>
      i > 0 && minorWords.has(word.toLowerCase()) ? word.toLowerCase() : word.replace(/^[a-z]/, (c) => c.toUpperCase()),
    )
    .join(" ");
}

/** A deep copy of value with every x-ms-summary in Title Case. */
export function withTitleCaseSummaries<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withTitleCaseSummaries) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === "x-ms-summary" && typeof v === "string" ? titleCase(v) : withTitleCaseSummaries(v),
    ]),
  ) as T;
}
