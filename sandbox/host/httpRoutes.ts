/** HTTP trigger routes as the host matches them: literal segments (any case), {param}, {param?}, {*catchAll}. */
import { triggerOf, type Registration } from "./functionsCore";

export interface CompiledRoute {
  registration: Registration;
  methods: string[];
  segments: { literal?: string; param?: string; optional?: boolean; catchAll?: boolean }[];
}

/** What a request's path and method find: a function and its route parameters, or the host's error answer. */
export type RouteLookup =
  | { route: CompiledRoute; params: Record<string, string> }
  | { status: number; error: { code: string; message: string } };

/** The registration's route, or undefined for a function that is not HTTP-triggered. */
export function compileRoute(registration: Registration): CompiledRoute | undefined {
  const trigger = triggerOf(registration);
  if (trigger.type !== "httpTrigger") return undefined;
  const route = String(trigger.route ?? registration.name);
  const segments = route
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const m = /^\{(\*)?([A-Za-z0-9_]+)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      return m
        ? { param: m[2]!, optional: Boolean(m[3]), catchAll: Boolean(m[1]) }
        : { literal: segment.toLowerCase() };
    });
  const methods = ((trigger.methods as string[] | undefined) ?? ["GET", "POST"]).map((m) => m.toUpperCase());
  return { registration, methods, segments };
}

function matchRoute(route: CompiledRoute, pathSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    const value = pathSegments[i];
    if (segment.catchAll) {
      params[segment.param!] = pathSegments.slice(i).join("/");
      return params;
    }
    if (value === undefined) return segment.optional ? params : undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== value.toLowerCase()) return undefined;
    } else {
      params[segment.param!] = value;
    }
  }
  return pathSegments.length === route.segments.length ? params : undefined;
}

/** The first route that matches the path (below the route prefix) and allows the method. */
export function findRoute(routes: CompiledRoute[], pathname: string, prefix: string, method: string): RouteLookup {
  if (!pathname.startsWith(prefix))
    return { status: 404, error: { code: "notFound", message: "No function at this path." } };
  let pathSegments: string[];
  try {
    pathSegments = pathname.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { status: 400, error: { code: "badRequest", message: "The path is not valid percent-encoding." } };
  }
  let params: Record<string, string> | undefined;
  const route = routes.find((r) => (params = matchRoute(r, pathSegments)) !== undefined && r.methods.includes(method));
  if (route && params) return { route, params };
  const anyMethod = routes.some((r) => matchRoute(r, pathSegments) !== undefined);
  return {
    status: anyMethod ? 405 : 404,
    error: {
      code: anyMethod ? "methodNotAllowed" : "notFound",
      message: anyMethod ? `Method ${method} is not allowed here.` : "No function at this path.",
    },
  };
}
