/**
 * Azurite (the real Blob/Queue/Table emulator from npm) on free loopback ports, in memory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** The emulator's well-known development account (public, documented; not a secret). */
export const devAccountName = "devstoreaccount1";
export const devAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export async function freePort(): Promise<number> {
  // Below Linux's ephemeral range (32768-60999), where the system picks outgoing connections' local ports: a port
  // found free there could be taken by any connection before Azurite listens on it, or while a test has it stopped.
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await listenOnce(port)) !== undefined) return port;
  }
  return (await listenOnce(0))!;
}

/** Listens on the port and closes again: the port it got, or undefined when it is taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const { port: got } = server.address() as { port: number };
      server.close(() => resolve(got));
    });
  });
}

export interface AzuriteOptions {
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Print Azurite's own output (default: silent). */
  verbose?: boolean;
  /** Keep data in this folder (survives a stop and start on the same ports); default: in memory. */
  location?: string;
  /**
   * The storage accounts it serves, each with the development account's key (Azurite's AZURITE_ACCOUNTS); default:
   * the development account alone.
   */
  accounts?: string[];
}

/** How long Azurite may take to say its three services listen. */
const startTimeoutInMs = 120_000;

export class Azurite {
  private child: ChildProcess | undefined;
  blobPort = 0;
  queuePort = 0;
  tablePort = 0;
  /** The storage account the connection string names: the development account, unless the emulator serves others. */
  accountName = devAccountName;
  accountKey = devAccountKey;

  constructor(protected readonly options: AzuriteOptions = {}) {}

  get connectionString(): string {
    return this.connectionStringVia();
  }

  /** The connection string with any of the services at another origin (a proxy's): `{ blob: proxy.origin }`. */
  connectionStringVia(origins: { blob?: string; queue?: string; table?: string } = {}): string {
    const own = (port: number): string => `http://127.0.0.1:${port}`;
    const account = this.accountName;
    return (
      `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${this.accountKey};` +
      `BlobEndpoint=${origins.blob ?? own(this.blobPort)}/${account};` +
      `QueueEndpoint=${origins.queue ?? own(this.queuePort)}/${account};` +
      `TableEndpoint=${origins.table ?? own(this.tablePort)}/${account};`
    );
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async start(): Promise<this> {
    const firstStart = this.blobPort === 0;
    for (let attempt = 1; ; attempt++) {
      this.blobPort ||= this.options.blobPort ?? (await freePort());
      this.queuePort ||= this.options.queuePort ?? (await freePort());
      this.tablePort ||= this.options.tablePort ?? (await freePort());
      try {
        await this.launch();
        return this;
      } catch (error) {
        // A port found free can be taken before Azurite listens on it (on a busy machine, most often as the local
        // port of an outgoing connection): a first start on ports nobody chose picks new ones and tries again.
        const chosen = this.options.blobPort ?? this.options.queuePort ?? this.options.tablePort;
        if (!firstStart || chosen !== undefined || attempt >= 3 || !/EADDRINUSE/.test(String(error))) throw error;
        this.blobPort = this.queuePort = this.tablePort = 0;
      }
    }
  }

  private async launch(): Promise<void> {
    const entry = join(require.resolve("azurite/package.json"), "..", "dist", "src", "azurite.js");
    // Started with --disableTelemetry, Azurite never calls its telemetry SDK; the development install puts an empty
    // module in its place (scripts/stubs/applicationinsights, package.json "overrides").
    const args = [
      entry,
      ...(this.options.location ? ["--location", this.options.location] : ["--inMemoryPersistence"]),
      "--skipApiVersionCheck",
      "--loose",
      "--disableTelemetry",
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(this.blobPort),
      "--queueHost",
      "127.0.0.1",
      "--queuePort",
      String(this.queuePort),
      "--tableHost",
      "127.0.0.1",
      "--tablePort",
      String(this.tablePort),
      ...(this.options.verbose ? [] : ["--silent"]),
    ];
    const env = this.options.accounts
      ? { ...process.env, AZURITE_ACCOUNTS: this.options.accounts.map((name) => `${name}:${devAccountKey}`).join(";") }
      : process.env;
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    this.child = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      // Generous: on a loaded 2-core machine (CI runs suites side by side) Azurite's start can take tens of seconds.
      // A start that fails ends the child, so the test process is not held open by an emulator nobody uses.
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`Azurite did not start within ${startTimeoutInMs / 1000} s:\n${output}`));
      }, startTimeoutInMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (this.options.verbose) process.stdout.write(chunk);
        if ((output.match(/successfully listening/g) ?? []).length >= 3) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited with ${code}:\n${output}`));
      });
    });
    child.removeAllListeners("exit");
    // A process that ends without stop() (an uncaught error, a suite that fails before its after()) takes its
    // emulator with it, instead of leaving it running on its ports.
    const endWithUs = (): void => void child.kill("SIGKILL");
    process.once("exit", endWithUs);
    child.once("exit", () => process.off("exit", endWithUs));
  }

  /** The three services' ports. */
  get ports(): { blobPort: number; queuePort: number; tablePort: number } {
    return { blobPort: this.blobPort, queuePort: this.queuePort, tablePort: this.tablePort };
  }

  /** The emulator's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Stops the emulator (its in-memory data is lost). `graceful` lets it save a persisted `location` first,
   * as a storage service keeps what it acknowledged; the default kills it at once.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(options.graceful ? "SIGTERM" : "SIGKILL");
    });
  }
}
