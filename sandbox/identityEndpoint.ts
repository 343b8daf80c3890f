/**
 * A loopback managed-identity endpoint speaking the App Service protocol (IDENTITY_ENDPOINT +
 * IDENTITY_HEADER, api-version 2019-08-01), so the real ManagedIdentityCredential runs in tests.
 * Its tokens are JWT-shaped, carry the granted application roles, and are understood by the simulator.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { LoopbackServer } from "./loopbackServer";
import { makeToken } from "./tokens";

export interface IdentityEndpointOptions {
  /** Application roles granted to the identity. Default: the two the app needs. */
  roles?: string[];
  /** Token lifetime in seconds (default one hour). */
  lifetimeSeconds?: number;
}

export interface TokenRequest {
  resource: string;
  clientId?: string;
  at: number;
}

export const defaultRoles = ["PrintJob.ReadBasic.All", "Printer.Read.All"];

export class ManagedIdentityEndpoint {
  /** The secret header value the platform would give the app (random per endpoint). */
  readonly header = randomBytes(16).toString("hex");
  readonly principalId = randomUUID();
  readonly tokenRequests: TokenRequest[] = [];
  /** Tokens handed out, so tests can search logs for them. */
  readonly issuedTokens: string[] = [];
  roles: string[];
  lifetimeSeconds: number;
  /** Fault: answer 500 (down), or wait before answering (slow). */
  down = false;
  delayMs = 0;
  private server: LoopbackServer | undefined;
  private port = 0;

  constructor(options: IdentityEndpointOptions = {}) {
    this.roles = options.roles ?? [...defaultRoles];
    this.lifetimeSeconds = options.lifetimeSeconds ?? 3600;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/msi/token`;
  }

  /** The environment the platform sets for the app. */
  env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: this.url, IDENTITY_HEADER: this.header };
  }

  async start(): Promise<this> {
    this.server = new LoopbackServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.down) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(
            JSON.stringify({ statusCode: 500, message: "An unexpected error occured while fetching the AAD Token." }),
          );
          return;
        }
        if (req.headers["x-identity-header"] !== this.header) {
          res.writeHead(401, { "content-type": "application/json" });
          res.end(JSON.stringify({ statusCode: 401, message: "X-IDENTITY-HEADER is missing or wrong." }));
          return;
        }
        const resource = url.searchParams.get("resource");
        if (url.pathname !== "/msi/token" || !resource) {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ statusCode: 400, message: "resource is required." }));
          return;
        }
        const clientId = url.searchParams.get("client_id") ?? undefined;
        this.tokenRequests.push({ resource, clientId, at: Date.now() });
        const now = Math.floor(Date.now() / 1000);
        const expiresOn = now + this.lifetimeSeconds;
        const token = makeToken({
          aud: resource.replace(/\/$/, ""),
          roles: this.roles,
          exp: expiresOn,
          iat: now,
          oid: this.principalId,
          tid: "72f988bf-0000-4000-8000-000000000001",
        });
        this.issuedTokens.push(token);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            access_token: token,
            expires_on: String(expiresOn),
            resource,
            token_type: "Bearer",
            client_id: clientId ?? randomUUID(),
          }),
        );
      })();
    });
    this.port = await this.server.listen(0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
