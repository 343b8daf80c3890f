/**
 * One delivery of an audit queue message in a process of its own, as the Functions worker runs it: the
 * built app is loaded through the local host and its auditPrinter handler invoked with the message.
 * Settings come from the environment, as in Azure; AUDIT_MESSAGE is the message, AUDIT_DEQUEUE_COUNT the
 * delivery number. Exits 0 when the handler succeeded, 1 when it threw (the host would deliver again), and
 * prints `AUDIT_PROCESS {...}` with its peak memory. Suites kill it at chosen points to simulate crashes.
 */
import { loadFunctionApp } from "../../sandbox/host/functionApp";
import { LocalFunctionsHost } from "../../sandbox/host/functionsHost";

async function main(): Promise<number> {
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
  // AUDIT_PROCESS_PRINT_LOGS=1 prints every log line, as the worker hands them to the host (for the secrets check).
  const host = new LocalFunctionsHost(loadFunctionApp(), { printLogs: process.env.AUDIT_PROCESS_PRINT_LOGS === "1" });
  let ok = true;
  let error: string | undefined;
  try {
    // AUDIT_INVOKE=timer runs the audit timer instead (its privacy rewrite step, for the redaction crash suite).
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
  const warnings = host.logs.filter((l) => l.level === "warning").map((l) => l.message);
  console.log(
    `AUDIT_PROCESS ${JSON.stringify({ ok, error, durationMs: Date.now() - started, peakRssMB: Math.round(peakRss / 1048576), peakHeapMB: Math.round(peakHeap / 1048576), retainedHeapMB: Math.round(retainedHeap / 1048576), warnings })}`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
