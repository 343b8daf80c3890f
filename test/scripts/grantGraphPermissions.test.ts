// The grant script against a loopback fake of Graph's servicePrincipals endpoints (test/rig/graphDirectory.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AccessToken, type GetTokenOptions, type TokenCredential } from "@azure/identity";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type CliIo,
  GrantError,
  grantGraphPermissions,
  main,
  replicationWaitsInMs,
  resolveGraphEndpoint,
} from "../../scripts/grant-graph-permissions";
import { roleValueOf, startGraphDirectory, type GraphDirectory } from "../rig/graphDirectory";

const fakeToken = "deployer-token-must-never-be-printed";

/** Stands in for the deployer's credential; remembers the scopes it was asked for. */
function deployerCredential(): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken(requested: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return Promise.resolve({ token: fakeToken, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

const noRetries = { maxRetries: 0 };

async function withDirectory(run: (directory: GraphDirectory) => Promise<void>): Promise<void> {
  const directory = await startGraphDirectory();
  try {
    await run(directory);
  } finally {
    await directory.close();
  }
}

function grantedValues(directory: GraphDirectory, principalId: string): string[] {
  return directory.assignments
    .filter((a) => a.principalId === principalId)
    .map((a) => roleValueOf(directory, a) ?? "?")
    .sort();
}

test("grants the identity exactly PrintJob.ReadBasic.All and Printer.Read.All on Microsoft Graph", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const credential = deployerCredential();
    const lines: string[] = [];
    const result = await grantGraphPermissions({
      credential,
      baseUrl: directory.baseUrl,
      principalId: identity.id,
      log: (line) => lines.push(line),
      retryOptions: noRetries,
    });
    assert.deepEqual(result.granted.sort(), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.deepEqual(result.alreadyGranted, []);
    assert.deepEqual(grantedValues(directory, identity.id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    for (const assignment of directory.assignments)
      assert.equal(assignment.resourceId, directory.graphServicePrincipal.id);
    assert.ok(
      directory.requests.every((r) => r.authorization === `Bearer ${fakeToken}`),
      "every call carries the deployer's token",
    );
    assert.deepEqual([...new Set(credential.scopes)], ["https://graph.microsoft.com/.default"]);
    assert.ok(lines.some((l) => l.includes("Granted: PrintJob.ReadBasic.All")));
    assert.ok(!lines.join("\n").includes(fakeToken), "the token is never printed");
  }));

test("a re-run creates nothing and says the roles are already in place", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const options = {
      credential: deployerCredential(),
      baseUrl: directory.baseUrl,
      principalId: identity.id,
      retryOptions: noRetries,
    };
    await grantGraphPermissions(options);
    const postsBefore = directory.requests.filter((r) => r.method === "POST").length;
    const lines: string[] = [];
    const again = await grantGraphPermissions({ ...options, log: (line) => lines.push(line) });
    assert.deepEqual(again.granted, []);
    assert.deepEqual(again.alreadyGranted.sort(), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.equal(directory.requests.filter((r) => r.method === "POST").length, postsBefore, "no POST on the re-run");
    assert.equal(directory.assignments.length, 2);
    assert.ok(lines.some((l) => l === "Done: 0 granted, 2 already in place."));
  }));

test("only the missing role is added, and paged assignment lists are read to the end", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const graph = directory.graphServicePrincipal;
    const roleId = (value: string): string => graph.appRoles.find((r) => r.value === value)!.id;
    // Unrelated assignments first, so the one that matters sits on a later page.
    for (const value of ["User.Read.All", "Printer.ReadWrite.All", "Printer.Read.All"]) {
      directory.assignments.push({
        id: `a-${value}`,
        principalId: identity.id,
        principalDisplayName: identity.displayName,
        principalType: "ServicePrincipal",
        resourceId: graph.id,
        resourceDisplayName: graph.displayName,
        appRoleId: roleId(value),
        createdDateTime: new Date().toISOString(),
      });
    }
    directory.pageSize = 1;
    const result = await grantGraphPermissions({
      credential: deployerCredential(),
      baseUrl: directory.baseUrl,
      principalId: identity.id,
      retryOptions: noRetries,
    });
    assert.deepEqual(result.granted, ["PrintJob.ReadBasic.All"]);
    assert.deepEqual(result.alreadyGranted, ["Printer.Read.All"]);
    assert.ok(
      directory.requests.some((r) => r.path.includes("$skiptoken=2")),
      "the last page was fetched",
    );
  }));

test("finds a system-assigned identity by the function app's name", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-o'brien");
    directory.addManagedIdentity("func-other");
    const result = await grantGraphPermissions({
      credential: deployerCredential(),
      baseUrl: directory.baseUrl,
      appName: "func-o'brien",
      retryOptions: noRetries,
    });
    assert.equal(result.principal.id, identity.id);
    assert.deepEqual(grantedValues(directory, identity.id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
  }));

test("a deployer without Privileged Role Administrator is told so, and the command exits non-zero", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    directory.deny = "writes";
    await assert.rejects(
      grantGraphPermissions({
        credential: deployerCredential(),
        baseUrl: directory.baseUrl,
        principalId: identity.id,
        retryOptions: noRetries,
      }),
      (error: unknown) => {
        assert.ok(error instanceof GrantError);
        assert.equal(error.code, "DirectoryRoleMissing");
        assert.match(error.message, /Privileged Role Administrator/);
        assert.match(error.message, /AppRoleAssignment\.ReadWrite\.All/);
        return true;
      },
    );
    assert.equal(directory.assignments.length, 0);

    directory.deny = "all";
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ["--principal-id", identity.id, "--base-url", directory.baseUrl],
      {},
      {
        stdout: (line) => out.push(line),
        stderr: (line) => err.push(line),
        credential: deployerCredential(),
        azdEnv: () => ({}),
        retryOptions: noRetries,
      },
    );
    assert.notEqual(code, 0);
    assert.match(err.join("\n"), /403 Authorization_RequestDenied.*Privileged Role Administrator/s);
    assert.ok(![...out, ...err].join("\n").includes(fakeToken));
  }));

test("an unknown principal gets a clear error naming the id and where to find the right one", () =>
  withDirectory(async (directory) => {
    const missing = "11111111-2222-3333-4444-555555555555";
    await assert.rejects(
      grantGraphPermissions({
        credential: deployerCredential(),
        baseUrl: directory.baseUrl,
        principalId: missing,
        retryOptions: noRetries,
      }),
      (error: unknown) => {
        assert.ok(error instanceof GrantError);
        assert.equal(error.code, "PrincipalNotFound");
        assert.match(error.message, new RegExp(`No service principal with object id ${missing}`));
        assert.match(error.message, /FUNCTION_PRINCIPAL_ID/);
        return true;
      },
    );
    await assert.rejects(
      grantGraphPermissions({
        credential: deployerCredential(),
        baseUrl: directory.baseUrl,
        appName: "func-nope",
        retryOptions: noRetries,
      }),
      (error: unknown) =>
        error instanceof GrantError && error.code === "PrincipalNotFound" && /func-nope/.test(error.message),
    );
    const err: string[] = [];
    const code = await main(
      ["--principal-id", "not-a-guid"],
      {},
      {
        stdout: () => undefined,
        stderr: (line) => err.push(line),
        credential: deployerCredential(),
        azdEnv: () => ({}),
      },
    );
    assert.equal(code, 2);
    assert.match(err.join("\n"), /not an object id/);
  }));

test("the command reads the identity and cloud from the azd environment", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const credential = deployerCredential();
    const out: string[] = [];
    const code = await main(
      [],
      { GRAPH_BASE_URL: directory.baseUrl },
      {
        stdout: (line) => out.push(line),
        stderr: (line) => out.push(line),
        credential,
        azdEnv: () => ({ FUNCTION_PRINCIPAL_ID: identity.id, GRAPH_CLOUD: "usgov", AZURE_TENANT_ID: "t" }),
        retryOptions: noRetries,
      },
    );
    assert.equal(code, 0, out.join("\n"));
    assert.deepEqual(grantedValues(directory, identity.id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.deepEqual([...new Set(credential.scopes)], ["https://graph.microsoft.us/.default"]);
  }));

test("Graph endpoints per cloud; the base URL override must be https unless it is loopback", () => {
  assert.deepEqual(resolveGraphEndpoint("global"), {
    baseUrl: "https://graph.microsoft.com/v1.0",
    scope: "https://graph.microsoft.com/.default",
  });
  assert.equal(resolveGraphEndpoint("usgov").baseUrl, "https://graph.microsoft.us/v1.0");
  assert.equal(resolveGraphEndpoint("usgovdod").baseUrl, "https://dod-graph.microsoft.us/v1.0");
  assert.deepEqual(resolveGraphEndpoint("china"), {
    baseUrl: "https://microsoftgraph.chinacloudapi.cn/v1.0",
    scope: "https://microsoftgraph.chinacloudapi.cn/.default",
  });
  assert.equal(
    resolveGraphEndpoint("global", "https://graph.example.test/v1.0/").baseUrl,
    "https://graph.example.test/v1.0",
  );
  assert.equal(resolveGraphEndpoint("global", "http://127.0.0.1:8080/v1.0").baseUrl, "http://127.0.0.1:8080/v1.0");
  assert.throws(
    () => resolveGraphEndpoint("global", "http://graph.example.test/v1.0"),
    (e: unknown) => e instanceof GrantError && e.code === "InvalidOptions",
  );
  assert.throws(() => resolveGraphEndpoint("mars" as "global"), /Unknown Graph cloud/);
});

test("a deployer who is not signed in is told to run azd auth login", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const signedOut: TokenCredential = {
      getToken() {
        const error = new Error(
          "AzureDeveloperCliCredential: Please run 'azd auth login' from a command prompt to authenticate before using this credential.",
        );
        error.name = "CredentialUnavailableError";
        return Promise.reject(error);
      },
    };
    await assert.rejects(
      grantGraphPermissions({
        credential: signedOut,
        baseUrl: directory.baseUrl,
        principalId: identity.id,
        retryOptions: noRetries,
      }),
      (error: unknown) =>
        error instanceof GrantError && error.code === "SignInFailed" && /azd auth login/.test(error.message),
    );
    assert.equal(directory.requests.length, 0, "nothing reaches Graph without a token");
  }));

// ---- azd up's postprovision hook ----------------------------------------------------------------------------------

function hookIo(extra: Partial<CliIo> = {}): CliIo & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: (line) => out.push(line),
    stderr: (line) => out.push(`stderr: ${line}`),
    credential: deployerCredential(),
    azdEnv: () => ({}),
    retryOptions: noRetries,
    sleep: () => Promise.resolve(),
    ...extra,
  };
}

test("as azd's postprovision hook: grants before the code is deployed and says so", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const io = hookIo();
    const code = await main(
      ["--azd-hook"],
      { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: identity.id },
      io,
    );
    assert.equal(code, 0, io.out.join("\n"));
    assert.deepEqual(grantedValues(directory, identity.id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.match(
      io.out.at(-1)!,
      /^postprovision \(Graph grant\): PrintJob\.ReadBasic\.All and Printer\.Read\.All in place for func-abc123 before the code is deployed/,
    );
  }));

test("as the hook, a deployer without the directory role is told why it was skipped and who must run what; azd up goes on", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    directory.deny = "writes";
    const io = hookIo();
    const code = await main(
      ["--azd-hook"],
      { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: identity.id },
      io,
    );
    assert.equal(code, 0, "the hook never fails azd up");
    assert.equal(directory.assignments.length, 0);
    const said = io.out.join("\n");
    assert.match(
      said,
      /postprovision \(Graph grant\): SKIPPED, the signed-in deployer may not grant Microsoft Graph application roles \(it needs the Entra role Privileged Role Administrator/,
    );
    assert.ok(said.includes(`npm run grant-graph-permissions -- --principal-id ${identity.id}`), said);
    assert.match(said, /PrintJob\.ReadBasic\.All, Printer\.Read\.All/);
    assert.match(said, /24 hours/);
    assert.ok(!said.includes(fakeToken));

    // Run by hand, the same refusal is an error (exit 1), as before.
    const byHand = hookIo();
    assert.equal(await main([], { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: identity.id }, byHand), 1);
  }));

test("as the hook, a deployer who is not signed in, or a bad argument, is skipped with a message, exit 0", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const signedOut: TokenCredential = {
      getToken: () =>
        Promise.reject(
          Object.assign(new Error("Please run 'azd auth login'."), { name: "CredentialUnavailableError" }),
        ),
    };
    const io = hookIo({ credential: signedOut });
    assert.equal(
      await main(["--azd-hook"], { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: identity.id }, io),
      0,
    );
    assert.match(
      io.out.join("\n"),
      /SKIPPED, Could not get a Microsoft Graph token as the deployer: run `azd auth login`/,
    );
    const bad = hookIo();
    assert.equal(await main(["--azd-hook", "--nonsense"], {}, bad), 0);
    assert.match(bad.out.join("\n"), /SKIPPED, Unknown argument --nonsense/);
  }));

test("as the hook, a just-created identity that Entra ID does not list yet is looked up again until it appears", () =>
  withDirectory(async (directory) => {
    const id = "0f0e0d0c-0b0a-4909-8807-060504030201";
    const waits: number[] = [];
    const io = hookIo({
      sleep: (ms) => {
        waits.push(ms);
        // Replication finishes during the second wait.
        if (waits.length === 2) directory.addManagedIdentity("func-new", id);
        return Promise.resolve();
      },
    });
    const code = await main(["--azd-hook"], { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: id }, io);
    assert.equal(code, 0, io.out.join("\n"));
    assert.deepEqual(waits, replicationWaitsInMs.slice(0, 2));
    assert.deepEqual(grantedValues(directory, id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.equal(io.out.filter((l) => /not in Entra ID yet/.test(l)).length, 2);

    // An identity that never appears: every wait is spent, then the hook skips with the reason.
    const never = hookIo();
    const missing = "11111111-2222-4333-8444-555555555555";
    assert.equal(
      await main(["--azd-hook"], { GRAPH_BASE_URL: directory.baseUrl, FUNCTION_PRINCIPAL_ID: missing }, never),
      0,
    );
    assert.equal(never.out.filter((l) => /not in Entra ID yet/.test(l)).length, replicationWaitsInMs.length);
    assert.match(never.out.at(-1)!, new RegExp(`SKIPPED, No service principal with object id ${missing}`));
  }));

test("azure.yaml runs the grant as the postprovision hook (sh and pwsh), which azd runs after provision and before deploy", () => {
  const root = resolve(__dirname, "..", "..", "..");
  const yaml = readFileSync(resolve(root, "azure.yaml"), "utf8");
  // azd hook options (learn.microsoft.com/azure/developer/azure-developer-cli/azd-extensibility): shell sh|pwsh, run,
  // continueOnError, and posix/windows variants. `azd up` = package, provision (then postprovision), deploy.
  const hook =
    /^hooks:\n(?: {2}#.*\n)* {2}postprovision:\n {4}posix:\n {6}shell: sh\n {6}run: (\S+)\n {6}continueOnError: true\n {4}windows:\n {6}shell: pwsh\n {6}run: (\S+)\n {6}continueOnError: true\n/m.exec(
      yaml,
    );
  assert.ok(hook, "hooks.postprovision with posix (sh) and windows (pwsh) variants that never stop azd up");
  for (const script of [hook[1]!, hook[2]!]) {
    const text = readFileSync(resolve(root, script), "utf8");
    assert.match(
      text,
      /npm run --silent grant-graph-permissions -- --azd-hook/,
      `${script} runs the grant in hook mode`,
    );
    assert.match(text, /\nexit 0\n$/, `${script} ends with exit 0`);
  }
});

/**
 * Runs a postprovision hook on a PATH whose npm is a stand-in: when the grant cannot run, the hook exits 0 and says
 * what to run after azd up; when it ran, the hook says nothing of skipping.
 */
function assertHookNeverStopsAzd(command: string, args: string[]): void {
  const bin = mkdtempSync(join(tmpdir(), "fake-npm-"));
  try {
    const calls = join(bin, "calls.txt");
    const runHook = (): SpawnSyncReturns<string> =>
      spawnSync(command, args, { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
    // A stand-in npm that records its arguments and fails, like a build or network failure would.
    writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "$@" >> "${calls}"\nexit 7\n`, { mode: 0o755 });
    const run = runHook();
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /postprovision \(Graph grant\): SKIPPED, the grant could not run; after azd up, run: npm run grant-graph-permissions/,
    );
    assert.match(readFileSync(calls, "utf8"), /^run --silent grant-graph-permissions -- --azd-hook$/m);

    writeFileSync(join(bin, "npm"), `#!/bin/sh\necho granted\nexit 0\n`, { mode: 0o755 });
    const ok = runHook();
    assert.equal(ok.status, 0, ok.stderr);
    assert.doesNotMatch(ok.stdout, /SKIPPED/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test("the posix hook script exits 0 and says what to run when the grant itself cannot run", () => {
  const root = resolve(__dirname, "..", "..", "..");
  assertHookNeverStopsAzd("sh", [resolve(root, "scripts", "hooks", "postprovision.sh")]);
});

/** PowerShell 7: on PATH, or where .ci/run installs it (NuGet's PowerShell dotnet tool). */
function findPwsh(): string | undefined {
  const local = resolve(__dirname, "..", "..", "..", ".tools", "pwsh", "pwsh");
  if (existsSync(local)) return local;
  return spawnSync("pwsh", ["-NoProfile", "-Command", "exit 0"]).status === 0 ? "pwsh" : undefined;
}
const pwsh = findPwsh();

test(
  "the Windows (pwsh) hook script exits 0 and says what to run when the grant itself cannot run",
  { skip: !pwsh && !process.env.CI ? "PowerShell 7 is not installed (.ci/run installs it into .tools/pwsh)" : false },
  () => {
    assert.ok(pwsh, "CI installs PowerShell 7 (.ci/run)");
    const script = resolve(__dirname, "..", "..", "..", "scripts", "hooks", "postprovision.ps1");
    assertHookNeverStopsAzd(pwsh, ["-NoProfile", "-NonInteractive", "-File", script]);
  },
);
