/**
 * A loopback reverse proxy that numbers every request it forwards, so a suite can act at the Nth
 * outbound call of a process under test: kill the process before the call reaches the service, or after
 * the service carried it out but before the process hears the answer. Several proxies can share one
 * counter, so Graph calls and table writes are numbered in the order the process made them.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { LoopbackServer } from "../../sandbox/loopbackServer";

export type ProxyAction = "forward" | "dropBefore" | "dropAfter";

export class RequestCounter {
  count = 0;
  /** Once set, every further request is dropped (the process is gone). */
  stopped = false;
  /** Decides, per request number (and its request and body), whether the request goes through; default: always. */
  decide: (n: number, req: IncomingMessage, body: Buffer) => ProxyAction | Promise<ProxyAction> = () => "forward";
  /** Told of every answer the service gave (e.g. to read its continuation headers). */
  answered?: (n: number, req: IncomingMessage, status: number, headers: IncomingHttpHeaders) => void;
}

export class CountingProxy {
  private server: LoopbackServer | undefined;
  port = 0;

  constructor(
    /** e.g. http://127.0.0.1:10002 */
    private readonly target: string,
    readonly counter: RequestCounter,
    /** Rewrite the target's origin to the proxy's in answers (links such as @odata.nextLink stay on the proxy). */
    private readonly options: {
      rewriteLinks?: boolean;
      observe?: (req: IncomingMessage, status: number, body: Buffer) => void;
    } = {},
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = new LoopbackServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        if (this.counter.stopped) return req.socket.destroy();
        const n = ++this.counter.count;
        const action = await this.counter.decide(n, req, Buffer.concat(chunks));
        // A kill "after" stops the counter as it forwards the call that triggered it: that call still goes through.
        if (action === "dropBefore" || (action === "forward" && this.counter.stopped)) return req.socket.destroy();
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: Number(target.port),
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
          },
          (answer) => {
            const body: Buffer[] = [];
            answer.on("data", (c: Buffer) => body.push(c));
            answer.on("end", () => {
              this.counter.answered?.(n, req, answer.statusCode ?? 0, answer.headers);
              if (action === "dropAfter" || this.counter.stopped) return req.socket.destroy();
              let out = Buffer.concat(body);
              this.options.observe?.(req, answer.statusCode ?? 0, out);
              const headers = { ...answer.headers };
              if (this.options.rewriteLinks)
                out = Buffer.from(out.toString("utf8").split(new URL(this.target).origin).join(this.origin));
              delete headers["transfer-encoding"];
              headers["content-length"] = String(out.length);
              res.writeHead(answer.statusCode ?? 502, headers);
              res.end(out);
            });
            answer.on("error", () => req.socket.destroy());
          },
        );
        upstream.on("error", () => req.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      })();
    });
    this.port = await this.server.listen(0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
