import { createServer, type RequestListener, type Server } from "node:http";
import { type AddressInfo, type Socket } from "node:net";

/** An HTTP server on 127.0.0.1 that closes its open connections when stopped (every server of the rig is one). */
export class LoopbackServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(handler: RequestListener) {
    this.server = createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Listens on the port (0: any free one) and returns the port. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
