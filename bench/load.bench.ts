/**
 * `npm run bench -- load`: 200 concurrent callers read a job through the local Functions host, the real
 * pipeline and managed-identity credential, against the loopback Graph simulator, for 60 s. Prints
 * requests/s, p50/p95/p99, errors (must be 0) and memory (RSS and heap after a full GC at start, middle and
 * end: the heap must not grow). LOAD_DURATION_S and LOAD_CONCURRENCY shorten or narrow a run.
 */
import { Agent, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startRig } from "../test/rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId } from "../sandbox/tenant";

/** Heap may not grow by more than this between the middle and the end of the run (after a full GC). */
const maxHeapGrowthInBytes = 8 * 1024 * 1024;

function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

interface MemorySample {
  at: string;
  rssMB: number;
  heapMB: number;
}

function sample(at: string): MemorySample {
  collectGarbage();
  collectGarbage();
  const m = process.memoryUsage();
  return { at, rssMB: Math.round(m.rss / 1048576), heapMB: Math.round((m.heapUsed / 1048576) * 10) / 10 };
}

/** Latencies in 0.1 ms buckets up to 30 s, preallocated so recording them does not grow the heap. */
class Histogram {
  private readonly buckets = new Uint32Array(300_000);
  count = 0;
  record(ms: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.round(ms * 10))]!++;
    this.count++;
  }
  percentile(p: number): number {
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i / 10;
    }
    return Infinity;
  }
}

export async function run(): Promise<void> {
  const durationMs = Number(process.env.LOAD_DURATION_S ?? 60) * 1000;
  const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 200);
  // The app's own defaults for Graph calls (the test rig's are tuned for fast failure, not for load).
  const rig = await startRig({
    env: {
      GRAPH_MAX_RETRIES: "3",
      GRAPH_RETRY_DELAY_MS: "1000",
      GRAPH_MAX_RETRY_DELAY_MS: "30000",
      GRAPH_TRY_TIMEOUT_MS: "10000",
      GRAPH_MAX_RETRY_AFTER_MS: "5000",
    },
    tenant: addSeedPrinter,
  });
  const { port } = new URL(rig.api);
  const path = `${new URL(rig.api).pathname}/printers/${seedPrinterId}/jobs/${seedJobId}?$expand=tasks`;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const histogram = new Histogram();
  const errors = new Map<string, number>();

  /** The status, with the error code for a failed call (e.g. "504 graphTimeout"). */
  const getJob = (): Promise<string> =>
    new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port: Number(port), path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => res.statusCode !== 200 && chunks.push(c));
        res.on("end", () => {
          if (res.statusCode === 200) return resolve("200");
          let code = "";
          try {
            code = JSON.parse(Buffer.concat(chunks).toString()).error.code;
          } catch {
            code = "unreadable";
          }
          resolve(`${res.statusCode} ${code}`);
        });
      });
      req.on("error", (error) => resolve(`network ${(error as NodeJS.ErrnoException).code ?? error.message}`));
      req.end();
    });

  const worker = async (until: number, record: boolean): Promise<void> => {
    while (Date.now() < until) {
      const started = performance.now();
      const status = await getJob();
      if (!record) continue;
      histogram.record(performance.now() - started);
      if (status !== "200") errors.set(status, (errors.get(status) ?? 0) + 1);
    }
  };

  // The rig keeps a record of every Graph request and log line; trimmed so the figures are the app's memory.
  const trim = setInterval(() => {
    rig.sim.requests.length = 0;
    rig.host.logs.length = 0;
  }, 500);

  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker(Date.now() + 3000, false)));
    const samples = [sample("start")];
    const started = Date.now();
    const middle = new Promise<void>((resolve) =>
      setTimeout(() => {
        samples.push(sample("middle"));
        resolve();
      }, durationMs / 2),
    );
    await Promise.all([...Array.from({ length: concurrency }, () => worker(started + durationMs, true)), middle]);
    const elapsedS = (Date.now() - started) / 1000;
    samples.push(sample("end"));

    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    const rps = Math.round(histogram.count / elapsedS);
    console.log(`calls=${histogram.count} concurrency=${concurrency} duration=${elapsedS.toFixed(1)}s`);
    console.log(`memory ${samples.map((s) => `${s.at}: rss=${s.rssMB}MB heap=${s.heapMB}MB`).join("; ")}`);
    const heapGrowth = samples[2]!.heapMB - samples[1]!.heapMB;
    console.log(
      `FIGURES load: concurrency=${concurrency} durationS=${Math.round(elapsedS)} requests=${histogram.count} rps=${rps} ` +
        `p50Ms=${histogram.percentile(50)} p95Ms=${histogram.percentile(95)} p99Ms=${histogram.percentile(99)} errors=${errorCount} ` +
        `heapStartMB=${samples[0]!.heapMB} heapMiddleMB=${samples[1]!.heapMB} heapEndMB=${samples[2]!.heapMB} ` +
        `rssStartMB=${samples[0]!.rssMB} rssEndMB=${samples[2]!.rssMB}`,
    );
    if (errorCount > 0) throw new Error(`${errorCount} calls failed: ${JSON.stringify(Object.fromEntries(errors))}`);
    if (heapGrowth * 1048576 > maxHeapGrowthInBytes)
      throw new Error(`The heap grew by ${heapGrowth.toFixed(1)} MB from the middle to the end of the run.`);
  } finally {
    clearInterval(trim);
    agent.destroy();
    await rig.stop();
  }
}
