/**
 * Warm audit workers (auditLane.ts). Loading the app costs a process more CPU than most of the deliveries it
 * serves, and the crash suites deliver hundreds of times, so deliveries share a few warm workers. A suite that
 * kills a delivery kills its worker (SIGKILL, a real crash: nothing of it runs on), and the next delivery
 * starts another, from the worker's bundle when the build made one (auditLaneStart.ts).
 */
import { fork, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { type LaneAnswer, type LaneRequest } from "./auditLane";

export interface LaneResult {
  /** The delivery's exit code (0 succeeded, 1 the handler threw), or the worker's, when it ended. */
  exitCode: number | null;
  /** SIGKILL when the suite killed the worker mid-delivery. */
  signal: NodeJS.Signals | null;
  output: string;
}

/** The worker with the built app, in one file (scripts/bundle-audit-lane.mjs, run by `npm run build`). */
export const laneBundle = join(__dirname, "auditLane.bundle.js");

/**
 * The worker to start: from its bundle when the bundle is as new as the compiled worker, else (a build by `tsc`
 * alone) the compiled worker itself, which loads the app from dist/ as the Node worker does.
 */
function workerFile(fromFiles: boolean): string {
  if (fromFiles) return "auditLane.js";
  const mtime = (file: string): number => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  return mtime(laneBundle) >= mtime(join(__dirname, "auditLane.js")) ? "auditLaneStart.js" : "auditLane.js";
}

interface Lane {
  child: ChildProcess;
  /** What the worker printed outside any delivery (a crash of the worker itself). */
  output: string;
}

export class AuditLanes {
  private readonly idle: Lane[] = [];
  private readonly all = new Set<Lane>();

  /** `fromFiles`: start workers from the compiled files even when the build bundled them (the auditWorker bench). */
  constructor(private readonly options: { fromFiles?: boolean } = {}) {}

  /**
   * Runs one delivery with `env` (the whole environment a fresh process would get) on an idle worker; `killer`
   * receives the function that kills that worker mid-delivery.
   */
  async deliver(env: Record<string, string>, killer?: (kill: () => void) => void): Promise<LaneResult> {
    const lane = this.idle.pop() ?? this.start();
    killer?.(() => lane.child.kill("SIGKILL"));
    const answer = await new Promise<LaneResult>((resolve) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        lane.child.off("message", onMessage);
        this.all.delete(lane);
        resolve({ exitCode: code, signal, output: lane.output });
      };
      const onMessage = (message: LaneAnswer): void => {
        lane.child.off("exit", onExit);
        resolve({ ...message, signal: null });
      };
      lane.child.once("exit", onExit);
      lane.child.once("message", onMessage);
      lane.child.send({ env } satisfies LaneRequest);
    });
    if (this.all.has(lane)) this.idle.push(lane);
    return answer;
  }

  private start(): Lane {
    const child = fork(join(__dirname, workerFile(this.options.fromFiles ?? false)), [], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const lane: Lane = { child, output: "" };
    child.stdout!.on("data", (c: Buffer) => (lane.output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (lane.output += c.toString()));
    this.all.add(lane);
    return lane;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (lane) =>
          new Promise<void>((resolve) => {
            if (lane.child.exitCode !== null || lane.child.signalCode !== null) return resolve();
            lane.child.once("exit", () => resolve());
            lane.child.kill("SIGKILL");
          }),
      ),
    );
    this.all.clear();
    this.idle.length = 0;
  }
}
