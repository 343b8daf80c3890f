/**
 * Get-job latency through the function against a bare Graph call on the simulator (5 ms per request),
 * and token requests per token lifetime. The cold start has a bench of its own (coldStart.bench.ts).
 */
import { HttpRequest } from "@azure/functions";
import { makeToken } from "../sandbox/tokens";
import { startRig } from "../test/rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId } from "../sandbox/tenant";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

const ms = (n: number): string => `${n.toFixed(2)} ms`;

async function latency(): Promise<void> {
  const rig = await startRig({ simulator: { latencyMs: 5 }, tenant: addSeedPrinter });
  const iterations = 300;
  const path = `/print/printers/${seedPrinterId}/jobs/${seedJobId}`;
  const token = makeToken({
    aud: "https://graph.microsoft.com",
    roles: rig.identity.roles,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const bare = async (): Promise<void> => {
    const response = await fetch(`${rig.sim.baseUrl}${path}?$expand=tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`bare call answered ${response.status}`);
    await response.json();
  };
  const handler = rig.host.registration("getPrinterJob");
  const viaFunction = async (): Promise<void> => {
    const request = new HttpRequest({
      method: "GET",
      url: `${rig.api}/printers/${seedPrinterId}/jobs/${seedJobId}?$expand=tasks`,
      params: { printerId: seedPrinterId, jobId: seedJobId },
      query: { $expand: "tasks" },
    });
    const result = (await handler.handler(request, rig.host.newContext(handler))) as { status: number };
    if (result.status !== 200) throw new Error(`function answered ${result.status}`);
  };
  const viaHost = async (): Promise<void> => {
    const response = await fetch(`${rig.api}/printers/${seedPrinterId}/jobs/${seedJobId}?$expand=tasks`);
    if (response.status !== 200) throw new Error(`host answered ${response.status}`);
    await response.json();
  };
  const measure = async (fn: () => Promise<void>): Promise<number[]> => {
    for (let i = 0; i < 20; i++) await fn(); // warm up connections, JIT and the token
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = process.hrtime.bigint();
      await fn();
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return samples;
  };
  // An identity of its own: @azure/identity caches tokens per identity for the whole process (other benches ran before).
  const clientId = "0be0c4e5-0000-4000-8000-000000000001";
  rig.configure({ AZURE_CLIENT_ID: clientId });
  const tokensBefore = rig.identity.tokenRequests.filter((r) => r.clientId === clientId).length;
  // Interleave the three so drift on a shared machine hits each alike.
  const results = { bare: [] as number[], fn: [] as number[], host: [] as number[] };
  for (let round = 0; round < 3; round++) {
    results.bare.push(...(await measure(bare)));
    results.fn.push(...(await measure(viaFunction)));
    results.host.push(...(await measure(viaHost)));
  }
  const b = summary(results.bare);
  const f = summary(results.fn);
  const h = summary(results.host);
  console.log(`simulator latency 5 ms per request; ${results.bare.length} calls each`);
  console.log(`bare Graph call          p50 ${ms(b.p50)}  p95 ${ms(b.p95)}  p99 ${ms(b.p99)}`);
  console.log(
    `through the function     p50 ${ms(f.p50)}  p95 ${ms(f.p95)}  p99 ${ms(f.p99)}  -> p50 overhead ${(f.p50 / b.p50).toFixed(3)}x (goal <= 1.1x)`,
  );
  console.log(
    `through the local host   p50 ${ms(h.p50)}  p95 ${ms(h.p95)}  p99 ${ms(h.p99)}  -> ${(h.p50 / b.p50).toFixed(3)}x (adds the host's own HTTP hop)`,
  );
  const tokenRequests = rig.identity.tokenRequests.filter((r) => r.clientId === clientId).length - tokensBefore;
  console.log(
    `token requests to the managed-identity endpoint during ${results.fn.length + results.host.length + 120} function calls: ${tokenRequests} (token lifetime ${rig.identity.lifetimeSeconds} s; goal: 1 per lifetime)`,
  );
  await rig.stop();
}

export async function run(): Promise<void> {
  await latency();
}
