import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { freePort } from "../sandbox/azurite";
import { repoRoot } from "../sandbox/host/functionApp";

test("npm start's sandbox answers the example URLs it prints with 200 and the job JSON, shows a job that moved on at start, and Ctrl+C stops it", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot(), "dist", "sandbox", "start.js")], {
    env: { ...process.env, PORT: String(port), SANDBOX_QUIET: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      // Two audits run before the welcome; on a 2-core machine running other suites beside this one that can take minutes.
      const timer = setTimeout(() => reject(new Error(`sandbox did not get ready:\n${output}`)), 240_000);
      const check = setInterval(() => {
        if (output.includes("Press Ctrl+C")) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 50);
      child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}:\n${output}`)));
    });
    const urls = [...output.matchAll(/curl "([^"]+)"/g)].map((m) => m[1]!.replace(/\\\$/g, "$"));
    assert.ok(urls.length >= 3, `the sandbox prints example URLs:\n${output}`);
    for (const url of urls.filter((u) => /\/audit\//.test(u))) {
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      if (!url.includes("format=csv")) {
        const body = (await response.json()) as { states?: unknown[]; value?: unknown[] };
        assert.ok((body.states ?? body.value ?? []).length > 0, `the first audit run recorded what ${url} shows`);
      }
    }
    const timeline = urls.find((u) => /\/audit\/printers\/[^/]+\/jobs\/100$/.test(u));
    assert.ok(timeline, `the sandbox prints a job's audit timeline:\n${output}`);
    const job100 = (await (await fetch(timeline)).json()) as { states: { JobState: string }[] };
    assert.deepEqual(
      job100.states.slice(0, 2).map((s) => s.JobState),
      ["pending", "processing"],
      "the demo moved job 100 on between two audits at start: its first timeline has two states",
    );
    for (const url of urls.filter((u) => /\/jobs\/[^/?]+(\?|$)/.test(u) && !/\/audit\//.test(u))) {
      assert.ok(url.startsWith(`http://localhost:${port}/api/`), url);
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      const job = (await response.json()) as { id: string; status: { state: string } };
      assert.ok(job.id && job.status.state, `job JSON from ${url}`);
    }
    const viewer = /Audit viewer \(open in a browser\): (http:\/\/localhost:\d+\/api\/audit\/ui)/.exec(output);
    assert.ok(viewer, `the sandbox prints the audit viewer's URL:\n${output}`);
    assert.equal((await fetch(viewer[1]!)).status, 200, viewer[1]);
  } finally {
    // A sandbox that already ended would never say "exit" again: wait only for one still running.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
  }
  assert.match(output, /Stopping/, `the sandbox stops on Ctrl+C:\n${output}`);
});

test("a process that dies without stopping its Azurite takes the emulator with it", async () => {
  const azurite = join(repoRoot(), "dist", "sandbox", "azurite.js");
  const script = `
    const { Azurite } = require(${JSON.stringify(azurite)});
    new Azurite().start().then((a) => { console.log("AZURITE_PID " + a.pid); throw new Error("dies without stop()"); });
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(code, 1, output);
  assert.match(output, /dies without stop\(\)/);
  const pid = Number(/AZURITE_PID (\d+)/.exec(output)?.[1]);
  assert.ok(pid > 0, output);
  // Running: the process exists and, where /proc tells, is not a zombie (ended, not yet reaped by anyone).
  const running = (): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    if (!existsSync("/proc/self/stat")) return true;
    try {
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  };
  for (let waited = 0; running() && waited < 5_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  const left = running();
  if (left) process.kill(pid, "SIGKILL");
  assert.equal(left, false, `Azurite (pid ${pid}) still ran after its process died`);
});
