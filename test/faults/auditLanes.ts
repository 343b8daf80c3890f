/**
 * Warm audit workers (auditLane.ts). Loading the app costs a process more CPU than most of the deliveries it
 * serves, and the crash suites deliver hundreds of times, so deliveries share a few warm workers. A suite that
 * kills a delivery kills its worker (SIGKILL, a real crash: nothing of it runs on), and the next delivery
 * starts another.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { type LaneAnswer, type LaneRequest } from "./auditLane";

export interface LaneResult {
  /** The delivery's exit code (0 succeeded, 1 the handler threw), or the worker's, when it ended. */
  exitCode: number | null;
  /** SIGKILL when the suite killed the worker mid-delivery. */
  signal: NodeJS.Signals | null;
  output: string;
}

interface Lane {
  child: ChildProcess;
  /** What the worker printed outside any delivery (a crash of the worker itself). */
  output: string;
}

export class AuditLanes {
  private readonly idle: Lane[] = [];
  private readonly all = new Set<Lane>();

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
    const child = fork(join(__dirname, "auditLane.js"), [], {
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
