/** The middle value (the upper of the two middle ones for an even count), as every bench reports its rounds. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
