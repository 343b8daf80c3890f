// The grant script against a loopback fake of Graph's servicePrincipals endpoints (test/rig/graphDirectory.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AccessToken, type GetTokenOptions, type TokenCredential } from "@azure/identity";
import { GrantError, grantGraphPermissions, main, resolveGraphEndpoint } from "../scripts/grant-graph-permissions";
import { roleValueOf, startGraphDirectory, type GraphDirectory } from "./rig/graphDirectory";

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
    for (const assignment of directory.assignments) assert.equal(assignment.resourceId, directory.graphServicePrincipal.id);
    assert.ok(directory.requests.every((r) => r.authorization === `Bearer ${fakeToken}`), "every call carries the deployer's token");
    assert.deepEqual([...new Set(credential.scopes)], ["https://graph.microsoft.com/.default"]);
    assert.ok(lines.some((l) => l.includes("Granted: PrintJob.ReadBasic.All")));
    assert.ok(!lines.join("\n").includes(fakeToken), "the token is never printed");
  }));

test("a re-run creates nothing and says the roles are already in place", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const options = { credential: deployerCredential(), baseUrl: directory.baseUrl, principalId: identity.id, retryOptions: noRetries };
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
    assert.ok(directory.requests.some((r) => r.path.includes("$skiptoken=2")), "the last page was fetched");
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
      grantGraphPermissions({ credential: deployerCredential(), baseUrl: directory.baseUrl, principalId: identity.id, retryOptions: noRetries }),
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
    const code = await main(["--principal-id", identity.id, "--base-url", directory.baseUrl], {}, {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      credential: deployerCredential(),
      azdEnv: () => ({}),
      retryOptions: noRetries,
    });
    assert.notEqual(code, 0);
    assert.match(err.join("\n"), /403 Authorization_RequestDenied.*Privileged Role Administrator/s);
    assert.ok(![...out, ...err].join("\n").includes(fakeToken));
  }));

test("an unknown principal gets a clear error naming the id and where to find the right one", () =>
  withDirectory(async (directory) => {
    const missing = "11111111-2222-3333-4444-555555555555";
    await assert.rejects(
      grantGraphPermissions({ credential: deployerCredential(), baseUrl: directory.baseUrl, principalId: missing, retryOptions: noRetries }),
      (error: unknown) => {
        assert.ok(error instanceof GrantError);
        assert.equal(error.code, "PrincipalNotFound");
        assert.match(error.message, new RegExp(`No service principal with object id ${missing}`));
        assert.match(error.message, /FUNCTION_PRINCIPAL_ID/);
        return true;
      },
    );
    await assert.rejects(
      grantGraphPermissions({ credential: deployerCredential(), baseUrl: directory.baseUrl, appName: "func-nope", retryOptions: noRetries }),
      (error: unknown) => error instanceof GrantError && error.code === "PrincipalNotFound" && /func-nope/.test(error.message),
    );
    const err: string[] = [];
    const code = await main(["--principal-id", "not-a-guid"], {}, {
      stdout: () => undefined,
      stderr: (line) => err.push(line),
      credential: deployerCredential(),
      azdEnv: () => ({}),
    });
    assert.equal(code, 2);
    assert.match(err.join("\n"), /not an object id/);
  }));

test("the command reads the identity and cloud from the azd environment", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const credential = deployerCredential();
    const out: string[] = [];
    const code = await main([], { GRAPH_BASE_URL: directory.baseUrl }, {
      stdout: (line) => out.push(line),
      stderr: (line) => out.push(line),
      credential,
      azdEnv: () => ({ FUNCTION_PRINCIPAL_ID: identity.id, GRAPH_CLOUD: "usgov", AZURE_TENANT_ID: "t" }),
      retryOptions: noRetries,
    });
    assert.equal(code, 0, out.join("\n"));
    assert.deepEqual(grantedValues(directory, identity.id), ["PrintJob.ReadBasic.All", "Printer.Read.All"]);
    assert.deepEqual([...new Set(credential.scopes)], ["https://graph.microsoft.us/.default"]);
  }));

test("Graph endpoints per cloud; the base URL override must be https unless it is loopback", () => {
  assert.deepEqual(resolveGraphEndpoint("global"), { baseUrl: "https://graph.microsoft.com/v1.0", scope: "https://graph.microsoft.com/.default" });
  assert.equal(resolveGraphEndpoint("usgov").baseUrl, "https://graph.microsoft.us/v1.0");
  assert.equal(resolveGraphEndpoint("usgovdod").baseUrl, "https://dod-graph.microsoft.us/v1.0");
  assert.deepEqual(resolveGraphEndpoint("china"), {
    baseUrl: "https://microsoftgraph.chinacloudapi.cn/v1.0",
    scope: "https://microsoftgraph.chinacloudapi.cn/.default",
  });
  assert.equal(resolveGraphEndpoint("global", "https://graph.example.test/v1.0/").baseUrl, "https://graph.example.test/v1.0");
  assert.equal(resolveGraphEndpoint("global", "http://127.0.0.1:8080/v1.0").baseUrl, "http://127.0.0.1:8080/v1.0");
  assert.throws(() => resolveGraphEndpoint("global", "http://graph.example.test/v1.0"), (e: unknown) => e instanceof GrantError && e.code === "InvalidOptions");
  assert.throws(() => resolveGraphEndpoint("mars" as "global"), /Unknown Graph cloud/);
});

test("a deployer who is not signed in is told to run azd auth login", () =>
  withDirectory(async (directory) => {
    const identity = directory.addManagedIdentity("func-abc123");
    const signedOut: TokenCredential = {
      getToken() {
        const error = new Error("AzureDeveloperCliCredential: Please run 'azd auth login' from a command prompt to authenticate before using this credential.");
        error.name = "CredentialUnavailableError";
        return Promise.reject(error);
      },
    };
    await assert.rejects(
      grantGraphPermissions({ credential: signedOut, baseUrl: directory.baseUrl, principalId: identity.id, retryOptions: noRetries }),
      (error: unknown) => error instanceof GrantError && error.code === "SignInFailed" && /azd auth login/.test(error.message),
    );
    assert.equal(directory.requests.length, 0, "nothing reaches Graph without a token");
  }));
