import { ConfigError } from "../errors";
import { isLoopbackHost } from "../validation";

/**
 * Reading one setting from the environment the app was given: trimmed, typed, range-checked, refused
 * with a ConfigError naming it. Only loadConfig passes process.env here; tests pass their own.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number.`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}.`);
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not true or false.`);
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(", ")}.`);
  return match;
}

/** An absolute https URL (http only for loopback hosts), returned without a trailing slash. */
export function parseServiceUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not an absolute URL.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new ConfigError(name, `must use https (plain http is allowed only for loopback hosts), got "${raw}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, "must not carry a query, fragment or credentials.");
  }
  return url.toString().replace(/\/+$/, "");
}
