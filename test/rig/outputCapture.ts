/**
 * Captures everything the process writes to stdout and stderr (console, the Azure SDKs' logger, anything
 * else), so a suite can search it afterwards, e.g. for secrets. Stdout is always passed on (node:test
 * reports through it); stderr is passed on unless `quietStderr` keeps a verbose SDK log out of the test output.
 */
type Write = typeof process.stdout.write;

export class OutputCapture {
  private readonly chunks: string[] = [];
  private originals: { stdout: Write; stderr: Write } | undefined;

  constructor(private readonly options: { quietStderr?: boolean } = {}) {}

  start(): this {
    if (this.originals) return this;
    this.originals = { stdout: process.stdout.write, stderr: process.stderr.write };
    const tap = (stream: NodeJS.WriteStream, original: Write, echo: boolean): Write =>
      function (chunk: unknown, ...rest: unknown[]) {
        tapChunk(chunk);
        if (echo) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
        const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        callback?.();
        return true;
      } as Write;
    const tapChunk = (chunk: unknown): void => {
      this.chunks.push(
        typeof chunk === "string"
          ? chunk
          : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString("utf8")
            : String(chunk),
      );
    };
    process.stdout.write = tap(process.stdout, this.originals.stdout, true);
    process.stderr.write = tap(process.stderr, this.originals.stderr, !this.options.quietStderr);
    return this;
  }

  stop(): void {
    if (!this.originals) return;
    process.stdout.write = this.originals.stdout;
    process.stderr.write = this.originals.stderr;
    this.originals = undefined;
  }

  /** Everything written since start(). */
  get text(): string {
    return this.chunks.join("");
  }
}

/** Which of the secrets appear in the text (each given with a name for the failure message). */
export function secretsIn(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value.length > 0 && text.includes(value))
    .map(([name]) => name);
}
