/**
 * One delivery of an audit queue message (or one audit timer tick) through the local host, as the Functions
 * worker runs it, with the settings in process.env: AUDIT_MESSAGE is the message, AUDIT_DEQUEUE_COUNT the
 * delivery number, AUDIT_INVOKE=timer fires the audit timer instead, AUDIT_PROCESS_PRINT_LOGS=1 prints every
 * log line as the worker hands it to the host. Used by auditProcess.ts (a process per delivery, which suites
 * kill) and auditLane.ts (a warm worker that serves deliveries one after another).
 */
import { type Registration } from "../../sandbox/host/functionsCore";
import { LocalFunctionsHost } from "../../sandbox/host/functionsHost";

export interface DeliveryReport {
  ok: boolean;
  error?: string;
  durationMs: number;
  peakRssMB: number;
  peakHeapMB: number;
  /** The most heap held after a full GC (0 unless the process ran with --expose-gc). */
  retainedHeapMB: number;
  warnings: string[];
  /** The process's CPU (user and system) since it started, when the delivery answered. */
  processCpuMs: number;
}

/** Runs the delivery the environment describes; resolves to its report (never rejects). */
export async function deliverFromEnv(app: Registration[]): Promise<DeliveryReport> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  // With --expose-gc (benches), also the most heap still held after a full GC: what the audit really keeps.
  let retainedHeap = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sampler = setInterval(sample, 100);
  const gcSampler = gc
    ? setInterval(() => {
        gc();
        retainedHeap = Math.max(retainedHeap, process.memoryUsage().heapUsed);
      }, 500)
    : undefined;
  const started = Date.now();
  const host = new LocalFunctionsHost(app, { printLogs: process.env.AUDIT_PROCESS_PRINT_LOGS === "1" });
  let ok = true;
  let error: string | undefined;
  try {
    if (process.env.AUDIT_INVOKE === "timer") await host.fireTimer("auditTimer");
    else
      await host.invokeQueue("auditPrinter", process.env.AUDIT_MESSAGE ?? "", {
        dequeueCount: Number(process.env.AUDIT_DEQUEUE_COUNT ?? 1),
      });
  } catch (e) {
    ok = false;
    error = String((e as Error)?.message ?? e).slice(0, 300);
  }
  clearInterval(sampler);
  clearInterval(gcSampler);
  sample();
  return {
    ok,
    error,
    durationMs: Date.now() - started,
    peakRssMB: Math.round(peakRss / 1048576),
    peakHeapMB: Math.round(peakHeap / 1048576),
    retainedHeapMB: Math.round(retainedHeap / 1048576),
    warnings: host.logs.filter((l) => l.level === "warning").map((l) => l.message),
    processCpuMs: cpuMs(process.cpuUsage()),
  };
}

const cpuMs = ({ user, system }: NodeJS.CpuUsage): number => Math.round((user + system) / 1000);

/** The line a delivery closes its output with, which the harness reads back. */
export function reportLine(report: DeliveryReport): string {
  return `AUDIT_PROCESS ${JSON.stringify(report)}`;
}
