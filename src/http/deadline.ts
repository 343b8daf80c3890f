import { DeadlineExceededError } from "../errors";

/**
 * Runs work with an abort signal that fires at the deadline, and stops waiting at the deadline even if
 * the work ignores the signal: an HTTP caller is always answered within a bounded time.
 */
export async function withDeadline<T>(
  deadlineInMs: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceededError(deadlineInMs));
    }, deadlineInMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
