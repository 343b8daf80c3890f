/**
 * How a person given to a read (a UPN or user id) is found in the stored user columns: as given, lower-cased,
 * and as its pseudonym under the current key, so a person's rows are found whatever mode recorded them.
 */
import { odata } from "../store";
import { pseudonym, type PrivacyPolicy } from "./policy";

/** The values a user filter compares with the stored columns. */
export function userFilterValues(value: string, privacy: PrivacyPolicy): string[] {
  return [...new Set([value, value.toLowerCase(), ...(privacy.key ? [pseudonym(value, privacy.key)] : [])])];
}

/** The Table filter of rows whose CreatedBy or CreatedById holds one of the values (two comparisons a value). */
export function userColumnsFilter(values: readonly string[]): string {
  return values.flatMap((v) => [odata`CreatedBy eq ${v}`, odata`CreatedById eq ${v}`]).join(" or ");
}

/** The Table filter of one person's rows, in parentheses to be joined with others. */
export function userFilter(value: string, privacy: PrivacyPolicy): string {
  return `(${userColumnsFilter(userFilterValues(value, privacy))})`;
}
