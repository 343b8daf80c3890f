/**
 * One Azurite for a whole test run instead of one per suite. scripts/run-tests.mjs starts it before the pool, serving
 * an account for each suite that may ask, and names its ports, its accounts and the folder where suites claim them in
 * SHARED_AZURITE. A suite's StrictAzurite claims an account no other suite has (it makes the account's folder there:
 * the one process that makes it has it) and reaches it through its own strict proxy, so suites share the emulator's
 * process, never its data: each account has its own tables, containers and queues, and its own counts at the proxy.
 * Azurite's start is about 0.85 CPU-seconds (about a thousand modules loaded), and a run otherwise starts about forty.
 * A suite that stops storage under the app, or keeps it in a folder, starts its own (StrictAzurite's `own`, or a
 * `location`); so does one outside the runner, and every suite once the accounts are all claimed.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Azurite } from "../../sandbox/azurite";

/** The ports of the run's Azurite and the account a suite has there. */
export interface SharedAccount {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  accountName: string;
}

interface SharedAzuriteSpec {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  accounts: string[];
  /** The folder where each claimed account has a folder. */
  claims: string;
}

/** The variable that names the run's Azurite to the suites. */
const variable = "SHARED_AZURITE";

/** An account of the run's Azurite that no other suite has; undefined without one (start one's own Azurite then). */
export function claimSharedAccount(): SharedAccount | undefined {
  const text = process.env[variable];
  if (!text) return undefined;
  const { accounts, claims, ...ports } = JSON.parse(text) as SharedAzuriteSpec;
  for (const accountName of accounts) {
    try {
      mkdirSync(join(claims, accountName));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    return { ...ports, accountName };
  }
  return undefined;
}

/**
 * Starts the run's Azurite with `accounts` accounts (more than the suites that start storage: about forty, each
 * claiming one) and returns the environment that names it to the suites, and its stop.
 */
export async function startSharedAzurite(
  accounts = 120,
): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const names = Array.from({ length: accounts }, (_, i) => `suite${i + 1}`);
  const azurite = await new Azurite({ accounts: names }).start();
  const claims = mkdtempSync(join(tmpdir(), "shared-azurite-"));
  const spec: SharedAzuriteSpec = { ...azurite.ports, accounts: names, claims };
  return {
    env: { [variable]: JSON.stringify(spec) },
    async stop() {
      await azurite.stop();
      rmSync(claims, { recursive: true, force: true });
    },
  };
}
