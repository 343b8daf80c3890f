/**
 * Debian's Chromium headless shell (installed by .ci/run with apt-get), as the viewer's browser tests and benchmark
 * launch it: Chromium's own headless browser, the same Blink and V8 as the desktop browser without its window
 * shell, and what Playwright runs for headless Chromium by default. It runs the four viewer files on half the CPU
 * of Debian's full Chromium in headless mode (measured alone, every process counted: 82 against 176
 * CPU-seconds). The background-networking switches keep it from calling out, which this closed network refuses.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { installed } from "./installs";

const chromiumPath = "/usr/bin/chromium-headless-shell";

/** What installs it, for the messages of a suite that skips without it. */
const chromiumInstall = "apt-get install chromium-headless-shell";

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function chromiumInstalled(): boolean {
  return existsSync(chromiumPath);
}

/**
 * A browser suite's `skip`: the reason, when the browser is missing outside CI; false otherwise (CI must have it,
 * and the suite fails there, at launchChromium, instead of skipping).
 */
export const chromiumSkip: string | false =
  !chromiumInstalled() && !process.env.CI
    ? `${chromiumPath} is missing: install it with ${chromiumInstall} to run the viewer's browser tests`
    : false;

/**
 * Launches it (in CI, once the install beside the tests has ended); fails with the command that installs it when it
 * is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!(await installed(chromiumPath)))
    throw new Error(`${chromiumPath} is missing; CI installs it in .ci/run (${chromiumInstall}).`);
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/**
 * The page tells when the next audit run is due from the moment it was served. A run time of the schedule (every
 * `everyMs`, from midnight UTC) passed between serving the page and reading it turns "The next run is due" into
 * "A run was due ... reload": a test that reads the first waits out a run time closer than `marginMs`.
 */
export async function clearOfRunTime(everyMs = 600_000, marginMs = 15_000): Promise<void> {
  const untilNext = everyMs - (Date.now() % everyMs);
  if (untilNext < marginMs) await new Promise((resolve) => setTimeout(resolve, untilNext + 1_000));
}
