/** Small HTTP helpers for suites that call the app through the local host. */
import { randomUUID } from "node:crypto";

export interface JsonAnswer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
  ms: number;
}

/** GET (or any method) and read the answer; `body` is the parsed JSON, or undefined when the answer is not JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const started = Date.now();
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers, ms: Date.now() - started };
}

/** A user-assigned identity not used before: @azure/identity caches tokens per identity for the whole process. */
export function freshIdentity(): string {
  return randomUUID();
}
