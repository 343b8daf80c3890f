/**
 * The figures a suite proves (faults injected, hostile inputs tried, rows lost...), printed as one line
 * `FIGURES <suite>: name=value ...` when the suite ends, so the README's numbers can be checked against a rerun.
 */
export class Figures {
  private readonly values = new Map<string, number | string>();

  constructor(readonly suite: string) {}

  add(name: string, by = 1): void {
    const current = this.values.get(name);
    this.values.set(name, (typeof current === "number" ? current : 0) + by);
  }

  set(name: string, value: number | string): void {
    this.values.set(name, value);
  }

  get(name: string): number {
    const value = this.values.get(name);
    return typeof value === "number" ? value : 0;
  }

  line(): string {
    return `FIGURES ${this.suite}: ${[...this.values].map(([k, v]) => `${k}=${v}`).join(" ")}`;
  }

  /** Prints the line (call it from the suite's after()). */
  print(): void {
    console.log(this.line());
  }
}
