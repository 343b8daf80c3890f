/**
 * A corpus of hostile inputs against every HTTP route the app registers (read from the host, so a new
 * route is covered without editing this file): each route parameter and query option in turn takes each
 * hostile value, sent byte for byte on the wire. Every answer is a 4xx JSON error (or the job, when the
 * value lands where it is ignored or escaped), never a 5xx, and Graph sees no path but the one job's.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { Figures } from "../rig/figures";
import { hostileQueryNames, hostileWireValues } from "../rig/hostile";
import { startRig, type Rig } from "../rig/rig";
import { addSeedPrinter, seedJobId, seedPrinterId, seedShareId } from "../../sandbox/tenant";

let rig: Rig;
const figures = new Figures("hostile-input-routes");

before(async () => (rig = await startRig({ storage: true, tenant: addSeedPrinter })));
after(async () => {
  figures.print();
  await rig.stop();
});

/** The only Graph paths a request may reach: one job (any id the job grammar accepts, e.g. "me") of the seed's printer or share. */
const allowedGraphPath = new RegExp(
  `^/print/(printers/${seedPrinterId}|shares/${seedShareId})/jobs/[A-Za-z0-9-]{1,64}$`,
);

/** A valid value for a route parameter, by its name. */
function validParam(name: string): string {
  if (/^printerId$/i.test(name)) return seedPrinterId;
  if (/^shareId$/i.test(name)) return seedShareId;
  if (/jobId$/i.test(name)) return seedJobId;
  if (/id$/i.test(name)) return seedPrinterId;
  return "x";
}

function fill(route: string, values: Record<string, string>): string {
  return route.replace(/\{\*?([A-Za-z0-9_]+)(?::[^}?]+)?\??\}/g, (_, name: string) => values[name] ?? validParam(name));
}

function paramsOf(route: string): string[] {
  return [...route.matchAll(/\{\*?([A-Za-z0-9_]+)(?::[^}?]+)?\??\}/g)].map((m) => m[1]!);
}

interface Raw {
  status: number;
  contentType: string;
  text: string;
  location?: string;
}

/** Sends the path exactly as given (no URL normalization of dot segments or escapes). */
function send(method: string, path: string): Promise<Raw> {
  const { port } = new URL(rig.api);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: Number(port), method, path, headers: { connection: "close" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
            location: res.headers.location,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Runs at most `limit` sends at a time. */
async function runAll<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

interface Case {
  route: string;
  method: string;
  path: string;
  what: string;
  /** The request exceeds the host's header limit: the host itself refuses it. */
  oversized?: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  const prefix = new URL(rig.api).pathname;
  for (const { route, methods } of rig.host.httpRoutes()) {
    const valid = `${prefix}/${fill(route, {})}`;
    for (const method of methods) {
      for (const param of paramsOf(route)) {
        for (const value of hostileWireValues) {
          out.push({
            route,
            method,
            path: `${prefix}/${fill(route, { [param]: value })}`,
            what: `${param}=${value.slice(0, 40)}`,
          });
        }
      }
      const names = ["$select", "$expand", "code", ...hostileQueryNames];
      for (const name of names) {
        for (const value of hostileWireValues) {
          out.push({
            route,
            method,
            path: `${valid}?${encodeURIComponent(name)}=${value}`,
            what: `?${name}=${value.slice(0, 40)}`,
          });
        }
      }
      for (const value of hostileWireValues.slice(0, 20))
        out.push({ route, method, path: `${valid}?${value}`, what: `?${value}` });
      out.push({
        route,
        method,
        path: `${valid}?${Array.from({ length: 600 }, (_, i) => `p${i}=${"v".repeat(12)}`).join("&")}`,
        what: "600 query options",
      });
      out.push({
        route,
        method,
        path: `${valid}?$select=${Array.from({ length: 1200 }, () => "id").join(",")}`,
        what: "$select with 1,200 items",
      });
      out.push({
        route,
        method,
        path: `${valid}?$expand=tasks&$expand=tasks&$expand=documents`,
        what: "repeated $expand",
      });
      out.push({
        route,
        method,
        path: `${valid}?${"x".repeat(40_000)}=1`,
        what: "40 KB query string",
        oversized: true,
      });
      out.push({ route, method, path: `${valid}/${"..%2F".repeat(10)}`, what: "extra traversal segment" });
      out.push({ route, method, path: `${valid}%00`, what: "NUL after the path" });
    }
  }
  return out;
}

describe("a corpus of hostile inputs against every HTTP route", () => {
  test("routes are read from the host", () => {
    const routes = rig.host.httpRoutes();
    assert.ok(routes.length >= 2, JSON.stringify(routes));
    figures.set("routes", routes.length);
  });

  test("never a 5xx, every refusal a 4xx JSON error with a short message, Graph asked only for the one job", async () => {
    const all = cases();
    const graphBefore = rig.sim.requests.length;
    const failures: string[] = [];
    const seen: Record<string, number> = {};
    await runAll(all, 16, async (c) => {
      const answer = await send(c.method, c.path);
      figures.add("requestsSent");
      seen[answer.status] = (seen[answer.status] ?? 0) + 1;
      const problem = ((): string | undefined => {
        if (answer.status >= 500 || answer.status === 0) return `answered ${answer.status}`;
        if (c.oversized) return answer.status >= 400 ? undefined : `oversized request answered ${answer.status}`;
        if (answer.status === 200) {
          // A value that lands where it is ignored (code) or escaped (an audit filter) may be answered: a page, a CSV, JSON.
          if (!/json/.test(answer.contentType)) return undefined;
          let body: any;
          try {
            body = JSON.parse(answer.text);
          } catch {
            return "200 with a body that is not JSON";
          }
          if (/\{jobId\}$/.test(c.route) && !/^audit/.test(c.route))
            return body?.id === seedJobId ? undefined : "200 without the job";
          return body && typeof body === "object" ? undefined : "200 without a JSON object";
        }
        // A polling trigger's first poll (the hostile value landed in the ignored `code`): 202 and a Location on the same route.
        if (answer.status === 202 && /^audit\/triggers\//.test(c.route))
          return answer.location && new URL(answer.location).pathname === `${new URL(rig.api).pathname}/${c.route}`
            ? undefined
            : "202 without a Location on its route";
        if (answer.status === 404 && JSON.parse(answer.text)?.error?.code === "notFound") return undefined;
        if (answer.status < 400) return `answered ${answer.status}`;
        if (!/application\/json/.test(answer.contentType))
          return `${answer.status} is not JSON (${answer.contentType})`;
        let body: any;
        try {
          body = JSON.parse(answer.text);
        } catch {
          return `${answer.status} body is not JSON`;
        }
        if (typeof body?.error?.code !== "string" || typeof body.error.message !== "string")
          return `${answer.status} without error.code/message`;
        if (body.error.message.length > 500)
          return `message of ${body.error.message.length} characters echoes the input`;
        return undefined;
      })();
      if (problem) failures.push(`${c.method} ${c.route} ${c.what}: ${problem} ${answer.text.slice(0, 200)}`);
    });
    const graphPaths = rig.sim.requests.slice(graphBefore).map((r) => r.path);
    const stray = graphPaths.filter((p) => !allowedGraphPath.test(p));
    figures.set("graphCallsOutsideTheJob", stray.length);
    figures.set(
      "serverErrors",
      Object.entries(seen)
        .filter(([s]) => Number(s) >= 500)
        .reduce((n, [, k]) => n + k, 0),
    );
    console.log(`hostile-input-routes answers by status: ${JSON.stringify(seen)}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} bad answers`);
    assert.deepEqual(stray, [], "Graph was asked only for the one job");
    assert.ok((seen[400] ?? 0) > all.length / 2, "most hostile inputs are refused with 400");
  });

  test("the host's own 404 for paths no route matches, JSON", async () => {
    const prefix = new URL(rig.api).pathname;
    for (const path of [
      `${prefix}/../../etc/passwd`,
      `${prefix}/%2e%2e/%2e%2e/admin`,
      `${prefix}/printers`,
      `/admin/functions`,
      `${prefix}/printers/${seedPrinterId}/jobs`,
    ]) {
      const answer = await send("GET", path);
      figures.add("requestsSent");
      assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
      assert.match(answer.contentType, /application\/json/);
    }
  });
});
