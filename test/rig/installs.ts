/**
 * What .ci/run installs from Debian's packages (Chromium's headless shell, LibreOffice Calc) installs beside the build
 * and the first tests: the pool starts when the app is built, not when the install ends. .ci/run names the file it
 * writes when the install has ended, in CI_INSTALL_DONE; a suite that needs a tool the install is still bringing waits
 * for it here, instead of failing or skipping. They seldom wait: the crash suites run before them, alone, for about
 * two minutes.
 */
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Longer than the install takes on a slow mirror: after it, the suite fails with its own message. */
const longestWaitMs = 10 * 60_000;

/** Whether the program at `path` is there, once any install CI is running beside the tests has ended. */
export async function installed(path: string): Promise<boolean> {
  const ended = process.env.CI_INSTALL_DONE;
  const giveUpAt = Date.now() + longestWaitMs;
  while (!existsSync(path) && ended && !existsSync(ended) && Date.now() < giveUpAt) await sleep(1000);
  return existsSync(path);
}
