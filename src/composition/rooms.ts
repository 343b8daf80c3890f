/**
 * The composition root, as function files meet it: one factory per room, each building the room on its first
 * call from the settings of the moment (one AppClients, the shared clients, for all) and keeping it until resetComposition. Every
 * room is loaded with import(), so a cold worker registers its functions with @azure/functions and the settings
 * alone; a route's first call loads what that route runs (docs/cold-start.md).
 */
import { getConfig } from "../config";
import { type AuditReadRoom } from "./auditReadRoom";
import { type AuditRunRoom } from "./auditRunRoom";
import { type AuditClients } from "./auditClients";
import { type AppClients } from "./clients";
import { type ErasureRoom } from "./erasureRoom";
import { type IntegrityRoom } from "./integrityRoom";
import { type JobsRoom } from "./jobsRoom";
import { type OpenApiRoom } from "./openApiRoom";

let clients: Promise<AppClients> | undefined;
let audit: Promise<AuditClients> | undefined;
const built = new Map<string, Promise<unknown>>();

/** The shared clients (one credential, the Graph clients, the audit store, the queues) of the current settings. */
export function appClients(): Promise<AppClients> {
  clients ??= import("./clients.js").then(({ AppClients }) => new AppClients(getConfig()));
  return clients;
}

/** The audit's clients (tables, queues, the pseudonym key) over the shared credential. */
export function auditClients(): Promise<AuditClients> {
  audit ??= Promise.all([appClients(), import("./auditClients.js")]).then(
    ([app, { AuditClients }]) => new AuditClients(app),
  );
  return audit;
}

/** A room's factory: the first call builds it, later calls share it; a failed build is tried again next time. */
function room<Room>(name: string, build: () => Promise<Room>): () => Promise<Room> {
  return () => {
    let promise = built.get(name) as Promise<Room> | undefined;
    if (!promise) {
      promise = build();
      built.set(name, promise);
      promise.catch(() => built.get(name) === promise && built.delete(name));
    }
    return promise;
  };
}

/** Get-job and the wait for completion, over the interactive Graph client. */
export const jobsRoom = room<JobsRoom>("jobs", async () =>
  (await import("./jobsRoom.js")).createJobsRoom(await appClients()),
);

/** The audit's read API and polling triggers, over the audit tables. */
export const auditReadRoom = room<AuditReadRoom>("auditRead", async () =>
  (await import("./auditReadRoom.js")).createAuditReadRoom(await auditClients()),
);

/** Erasing a person from the audit, and the erasure records. */
export const erasureRoom = room<ErasureRoom>("erasure", async () =>
  (await import("./erasureRoom.js")).createErasureRoom(await auditClients()),
);

/** Verifying the audit's tamper evidence, at once or as a background check. */
export const integrityRoom = room<IntegrityRoom>("integrity", async () =>
  (await import("./integrityRoom.js")).createIntegrityRoom(await auditClients()),
);

/** The audit's timers and queue: runs, a printer's audit, retention, the index backfill. */
export const auditRunRoom = room<AuditRunRoom>("auditRun", async () =>
  (await import("./auditRunRoom.js")).createAuditRunRoom(await auditClients()),
);

/** The OpenAPI definition the connector is imported from. */
export const openApiRoom = room<OpenApiRoom>("openApi", async () =>
  (await import("./openApiRoom.js")).createOpenApiRoom(),
);

/** For tests and the sandbox: drop the clients and rooms so the next call builds them from fresh settings. */
export function resetComposition(): void {
  clients = undefined;
  audit = undefined;
  built.clear();
}
