/**
 * The `@azure/functions-core` module that the Node worker gives the `@azure/functions` library: every
 * `app.http/app.timer/app.storageQueue` call ends in `registerFunction(metadata, handler)` here, with exactly
 * the binding metadata the real host reads.
 */
import Module from "node:module";

export interface BindingMetadata {
  type: string;
  direction: "in" | "out";
  [key: string]: unknown;
}

export interface Registration {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
  handler: (...args: unknown[]) => unknown;
}

export const registrations: Registration[] = [];
export const hooks: Record<string, ((context: unknown) => unknown)[]> = {};

let installed = false;

/** Makes `require("@azure/functions-core")` resolve to this host's API (idempotent). */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const coreApi = {
    version: "4.99.0-local",
    hostVersion: "4.99.0-local",
    setProgrammingModel(): void {},
    getProgrammingModel(): unknown {
      return undefined;
    },
    registerFunction(
      metadata: { name: string; bindings: Record<string, BindingMetadata>; retryOptions?: unknown },
      handler: Registration["handler"],
    ) {
      registrations.push({
        name: metadata.name,
        bindings: metadata.bindings,
        retryOptions: metadata.retryOptions,
        handler,
      });
      return { dispose() {} };
    },
    registerHook(name: string, callback: (context: unknown) => unknown) {
      (hooks[name] ??= []).push(callback);
      return { dispose() {} };
    },
    log(): void {},
  };
  const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === "@azure/functions-core") return coreApi;
    return original.call(this, request, parent, isMain);
  };
}

/** The registration's trigger binding (the one `in` binding whose type ends in Trigger). */
export function triggerOf(registration: Registration): BindingMetadata {
  const trigger = Object.values(registration.bindings).find((b) => b.direction === "in" && /Trigger$/.test(b.type));
  if (!trigger) throw new Error(`${registration.name} has no trigger binding`);
  return trigger;
}
