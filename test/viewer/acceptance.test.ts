/**
 * Acceptance of the audit viewer in a real browser: Debian's Chromium driven by playwright-core against
 * the rig (Azurite, the simulator's demo tenant audited, the app behind a function key). Screenshots of
 * each view go to test-artifacts/viewer/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { chromiumSkip as skip, clearOfRunTime, launchChromium } from "../rig/browser";
import { repoRoot } from "../../sandbox/host/functionApp";
import { LocalFunctionsHost } from "../../sandbox/host/functionsHost";
import { startRig, type Rig } from "../rig/rig";
import { addDemoTenant, advanceOneJob, printerIdFor } from "../../sandbox/tenant";

const functionKey = "viewer-test-key-5f1c2e9a";
const artifacts = join(repoRoot(), "test-artifacts", "viewer");
const lobby = printerIdFor(1);
const warehouse = printerIdFor(3);

let rig: Rig;
let browser: Browser;
let printerIds: string[];
/** Every URL any page asked for, and everything it logged: the key must show in neither. */
const requested: { url: string; key?: string }[] = [];
const logged: string[] = [];

const auditOnce = (): Promise<void> => runScheduledAudit(rig, { timeoutMs: 20_000 });

async function newPage(
  options: { viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: options.deviceScaleFactor,
    acceptDownloads: true,
    timezoneId: "Europe/Berlin",
    locale: "en-GB",
  });
  const page = await context.newPage();
  page.on("request", (request) => requested.push({ url: request.url(), key: request.headers()["x-functions-key"] }));
  page.on("console", (message) => logged.push(message.text()));
  page.on("pageerror", (error) => logged.push(`pageerror: ${error.message}`));
  return { context, page };
}

/** Opens the viewer and answers its key prompt. */
async function openWithKey(page: Page, hash = "#/jobs"): Promise<void> {
  await page.goto(`${rig.api}/audit/ui${hash}`);
  await page.getByLabel("Function key of the audit API").fill(functionKey);
  await page.getByRole("button", { name: "Use this key" }).click();
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

async function jobRows(page: Page): Promise<{ job: string; printer: string; state: string; created: string }[]> {
  await page.locator("#jobs-table tbody tr").first().waitFor();
  return page.$$eval("#jobs-table tbody tr", (rows) =>
    rows.map((r) => {
      const cells = [...r.querySelectorAll("td")];
      return {
        created: cells[0]!.querySelector("time")?.getAttribute("datetime") ?? "",
        job: cells[1]!.textContent!.trim(),
        printer: cells[2]!.textContent!.trim(),
        state: cells[4]!.querySelector(".badge")!.textContent!.trim(),
      };
    }),
  );
}

describe("the audit viewer in Chromium", { skip }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    rig = await startRig({ storage: true, host: { functionKeys: [functionKey] } });
    printerIds = addDemoTenant(rig.sim);
    rig.configure({ AUDIT_PRINTER_IDS: printerIds.join(","), AUDIT_SCHEDULE: "0 */10 * * * *" });
    await serveAuditQueues(rig);
    await auditOnce();
    // Printers move a few jobs on between runs, so timelines have several states.
    for (let i = 0; i < 3; i++) {
      advanceOneJob(rig.sim);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await auditOnce();
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rig?.host.stopTriggers();
    await rig?.stop();
  });

  test("GET /api/audit/ui is anonymous, self-contained HTML with a strict content security policy", async () => {
    const response = await fetch(`${rig.api}/audit/ui`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-/);
    assert.match(csp, /connect-src 'self'/);
    const html = await response.text();
    assert.doesNotMatch(
      html,
      /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org)/i,
      "no external script, stylesheet or URL",
    );
    assert.match(html, /name="audit-schedule" content="0 \*\/10 \* \* \* \*"/);
    assert.equal((await fetch(`${rig.api}/audit/jobs`)).status, 401, "the data stays behind the key");
  });

  test("the key prompt: asked for on 401, a wrong key is refused and forgotten, the right key opens the jobs", async () => {
    const { context, page } = await newPage();
    try {
      const probed = page.waitForResponse((r) => r.url().endsWith("/.auth/me"));
      await page.goto(`${rig.api}/audit/ui`);
      const prompt = page.locator("#key-prompt");
      await prompt.waitFor({ state: "visible" });
      assert.match(await page.locator("#key-reason").innerText(), /needs a function key \(401\)/);
      assert.equal(
        await page.evaluate<string | undefined>("document.activeElement?.id"),
        "key-input",
        "the key field has focus",
      );
      await probed;
      assert.equal(
        await page.locator("#sign-in").isHidden(),
        true,
        "no Entra sign-in to offer where /.auth is not there",
      );
      await shot(page, "1-key-prompt");
      await page.getByLabel("Function key of the audit API").fill("wrong-key");
      await page.keyboard.press("Enter");
      await page.locator("#key-reason", { hasText: "was refused" }).waitFor();
      assert.equal(await page.evaluate<number>("sessionStorage.length"), 0, "a refused key is not kept");
      await page.getByLabel("Function key of the audit API").fill(functionKey);
      await page.keyboard.press("Enter");
      await page.locator("#jobs-table").waitFor();
      assert.equal(await prompt.isHidden(), true);
      assert.match(await page.locator("#access-state").innerText(), /function key/);
      assert.deepEqual(await page.evaluate<string[]>("Object.keys(sessionStorage)"), ["printAudit.functionKey"]);
      assert.equal(await page.evaluate<number>("localStorage.length"), 0, "nothing in localStorage");
      await page.reload();
      await page.locator("#jobs-table").waitFor();
      assert.equal(await prompt.isHidden(), true, "the key lasts for the tab");
      await shot(page, "2-jobs");
      await page.getByRole("button", { name: "Forget key" }).click();
      await prompt.waitFor({ state: "visible" });
    } finally {
      await context.close();
    }
  });

  test("the job table: newest first, printer name, user, state, copies and pages; paged on the server with Older and Newer", async () => {
    const { context, page } = await newPage();
    const asked: URL[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/audit/jobs")) asked.push(new URL(request.url()));
    });
    try {
      await openWithKey(page);
      await page.locator("#f-top").selectOption("10");
      // The first page of 10 keeps the scope of the page before it: wait for its answer, not for a table.
      const tenPerPage = page.waitForResponse(
        (r) => r.url().includes("/api/audit/jobs") && new URL(r.url()).searchParams.get("top") === "10",
      );
      await page.getByRole("button", { name: "Apply filters" }).click();
      await tenPerPage;
      await page.locator("#jobs-body:not([aria-busy])").waitFor();
      await page.locator("#page-number", { hasText: "Page 1" }).waitFor();
      await page.locator("#jobs-table[data-scope]").waitFor();
      const first = await jobRows(page);
      assert.equal(first.length, 10);
      const header = await page.$$eval("#jobs-table thead th", (ths) => ths.map((t) => t.textContent));
      assert.deepEqual(header, [
        "Created",
        "Job",
        "Printer (at job time)",
        "User",
        "State",
        "Copies",
        "Pages",
        "Last change seen",
      ]);
      await page.getByRole("button", { name: "Older →" }).click();
      await page.locator("#page-number", { hasText: /^Page 2$/ }).waitFor();
      const second = await jobRows(page);
      await page.getByRole("button", { name: "Older →" }).click();
      await page.locator("#page-number", { hasText: "Page 3 of 3" }).waitFor();
      const third = await jobRows(page);
      assert.equal(await page.getByRole("button", { name: "Older →" }).isDisabled(), true);
      const applied = asked.filter((u) => u.searchParams.get("top") === "10");
      assert.equal(applied.length, 3, "one request per page of 10, each page asked for once");
      assert.ok(
        applied.every((u) => u.searchParams.get("latest") === "true"),
        "each job's latest state, paged on the server",
      );
      assert.deepEqual(
        applied.map((u) => u.searchParams.has("continuationToken")),
        [false, true, true],
        "the next page by the API's continuation token",
      );
      const all = [...first, ...second, ...third];
      assert.equal(
        all.length,
        22,
        "every demo job once: the seed's, 8 on the lobby printer (one redirected), 12 on finance, 1 on the warehouse printer",
      );
      const created = all.map((r) => r.created);
      assert.deepEqual(created, [...created].sort().reverse(), "newest first across pages");
      assert.equal(new Set(all.map((r) => `${r.printer}/${r.job}`)).size, all.length, "no job twice");
      await page.getByRole("button", { name: "← Newer" }).click();
      await page.locator("#page-number", { hasText: /^Page 2$/ }).waitFor();
      assert.deepEqual(await jobRows(page), second);
      assert.equal(
        await page.evaluate<string | undefined>("document.activeElement?.id"),
        "newer",
        "the focus stays on the pager",
      );
      assert.match(page.url(), /#\/jobs\?top=10&page=2$/);
      await page.goBack();
      await page.locator("#page-number", { hasText: "Page 3 of 3" }).waitFor();
      await page.goBack();
      await page.locator("#page-number", { hasText: /^Page 2$/ }).waitFor();
      await page.goBack();
      await page.locator("#page-number", { hasText: /^Page 1$/ }).waitFor();
      assert.equal(
        asked.filter((u) => u.searchParams.get("top") === "10").length,
        3,
        "pages seen are not asked for again",
      );
      // An address of page 3 opened afresh asks for the pages before it, then shows page 3.
      await page.goto(`${rig.api}/audit/ui#/jobs?top=10&page=3`);
      await page.reload();
      await page.locator("#page-number", { hasText: "Page 3 of 3" }).waitFor();
      assert.deepEqual(await jobRows(page), third);
      await page.goto(`${rig.api}/audit/ui#/jobs?top=10`);
      await page.locator("#page-number", { hasText: /^Page 1$/ }).waitFor();
      const time = page.locator("#jobs-table tbody tr time").first();
      assert.equal(await time.getAttribute("title"), "2026-11-20 11:20:00 UTC", "UTC on hover");
      assert.equal(await time.innerText(), "20 Nov 2026, 12:20:00", "the viewer's own time zone (Europe/Berlin here)");
    } finally {
      await context.close();
    }
  });

  test("filter by printer and state", async () => {
    const { context, page } = await newPage();
    try {
      await openWithKey(page);
      await page.locator("#jobs-table").waitFor();
      await page.locator("#f-printer").selectOption({ label: "Lobby colour MFP" });
      await page.locator("#f-state").selectOption("canceled");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.locator('#jobs-table[data-scope="(printer Lobby colour MFP, state canceled)"]').waitFor();
      const rows = await jobRows(page);
      assert.ok(rows.length >= 1);
      assert.ok(
        rows.every((r) => r.printer === "Lobby colour MFP" && r.state === "canceled"),
        JSON.stringify(rows),
      );
      assert.ok(
        rows.some((r) => r.job === "199"),
        "the redirected job is canceled on the lobby printer",
      );
      assert.match(page.url(), new RegExp(`#/jobs\\?printer=${lobby}&state=canceled$`), "the filter is in the address");
      await shot(page, "3-filtered");
      await page.reload();
      await page.locator('#jobs-table[data-scope="(printer Lobby colour MFP, state canceled)"]').waitFor();
      assert.deepEqual(await jobRows(page), rows, "a shared or reloaded address shows the same jobs");
      assert.equal(await page.locator("#f-state").inputValue(), "canceled", "and fills the form");
      await page.getByRole("link", { name: /^Job 199 on/ }).click();
      await page.locator("#timeline").waitFor();
      await page.getByRole("link", { name: "← Back to jobs" }).click();
      await page.locator('#jobs-table[data-scope="(printer Lobby colour MFP, state canceled)"]').waitFor();
      await page.locator("#f-state").selectOption("paused");
      await page.locator("#f-user").fill("nobody@contoso.com");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.getByText("No jobs match these filters").waitFor();
      await shot(page, "4-no-match");
      await page.getByRole("button", { name: "Clear all filters" }).click();
      await page.locator('#jobs-table[data-scope="(all)"]').waitFor();
      await page.locator("#f-from").fill("2026-11-20");
      await page.locator("#f-to").fill("2026-11-20");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.locator('#jobs-table[data-scope="(2026-11-20 to 2026-11-20)"]').waitFor();
      const days = await jobRows(page);
      assert.equal(days.length, 21, "the demo printers' jobs of 20 Nov, not the seed's job of 2020");
      await page.locator("#f-from").fill("2026-11-21");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.locator("#problem").waitFor({ state: "visible" });
      assert.match(
        await page.locator("#problem").innerText(),
        /did not accept this request \(400\)\s+from is later than to\./,
      );
    } finally {
      await context.close();
    }
  });

  test("a job's timeline: states and tasks on a time axis, time in each state, details, and the redirect between printers", async () => {
    const { context, page } = await newPage();
    try {
      await openWithKey(page, `#/job/${lobby}/100`);
      await page.locator("#timeline svg").waitFor();
      assert.match(await page.locator("#job-title").innerText(), /Job 100 on Lobby colour MFP/);
      const states = await page.$$eval("#states-table tbody tr", (rows) =>
        rows.map((r) => r.querySelector(".badge")!.textContent),
      );
      assert.deepEqual(states, ["pending", "processing", "completed"], "the states the audit saw, oldest first");
      const spent = await page.$$eval("#states-table tbody tr td:nth-child(3)", (cells) =>
        cells.map((c) => c.textContent),
      );
      assert.match(spent[0]!, /^\d+ s$/);
      assert.equal(spent[2], "final");
      assert.ok((await page.locator("#timeline svg rect").count()) >= 2, "spans drawn");
      assert.ok((await page.locator("#tasks-table tbody tr").count()) >= 1, "its task too");
      await shot(page, "5-timeline");

      await page.goto(`${rig.api}/audit/ui#/job/${lobby}/199`);
      await page.locator("#timeline svg").waitFor();
      const facts = await page.locator(".facts").innerText();
      assert.match(facts, /Redirected to\s+job 200 on Warehouse labels/);
      await shot(page, "6-redirected");
      await page.getByRole("link", { name: "job 200 on Warehouse labels" }).first().click();
      await page.locator("#job-title", { hasText: "Job 200 on Warehouse labels" }).waitFor();
      assert.match(await page.locator(".facts").innerText(), /Redirected from\s+job 199 on Lobby colour MFP/);
      assert.match(page.url(), new RegExp(`#/job/${warehouse}/200$`));

      await page.goto(`${rig.api}/audit/ui#/job/${lobby}/106`);
      await page.locator("#timeline").waitFor();
      assert.match(await page.locator(".facts").innerText(), /Error code\s+4/, "the aborted job's error code");
    } finally {
      await context.close();
    }
  });

  test("keyboard only: tab to a job and open its timeline with Enter, back with the browser", async () => {
    const { context, page } = await newPage();
    try {
      await openWithKey(page);
      await page.locator("#jobs-table").waitFor();
      let focused = "";
      for (let i = 0; i < 40 && !focused.startsWith("#/job/"); i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate<string>('document.activeElement?.getAttribute("href") ?? ""');
      }
      assert.match(focused, /^#\/job\//, "a job link is reachable by Tab");
      await page.keyboard.press("Enter");
      await page.locator("#timeline").waitFor();
      assert.equal(
        await page.evaluate<string | undefined>("document.activeElement?.id"),
        "job-title",
        "focus moves to the job's heading",
      );
      await page.goBack();
      await page.locator("#jobs-table").waitFor();
      const unlabelled = await page.$$eval("input, select", (els) =>
        els.filter((e) => !(e as any).labels?.length).map((e) => e.id),
      );
      assert.deepEqual(unlabelled, [], "every control has a label");
    } finally {
      await context.close();
    }
  });

  test("daily summaries from the summaries route: jobs per state per day, aborted/canceled share per printer, busiest users and printers", async () => {
    const { context, page } = await newPage();
    const asked: URL[] = [];
    page.on("request", (request) => {
      if (/\/api\/audit\/(jobs|summaries)/.test(request.url())) asked.push(new URL(request.url()));
    });
    try {
      await openWithKey(page, "#/summary?from=2026-11-01&to=2026-11-30");
      await page.locator("#summary-body figure").first().waitFor();
      // The first call goes without the key (401, then the prompt), the second with it.
      assert.deepEqual(
        [...new Set(asked.map((u) => u.pathname))],
        ["/api/audit/summaries"],
        "counted on the server: the summaries view downloads no jobs",
      );
      assert.equal(asked.at(-1)!.search, "?from=2026-11-01&to=2026-11-30");
      assert.match(
        await page.locator("#summary-range").innerText(),
        /^21 jobs from 2026-11-01 to 2026-11-30/,
        "the demo printers' jobs of November, not the seed's job of 2020",
      );
      assert.equal(
        await page.locator("#summary-body .chart").first().locator("table tbody tr").count(),
        30,
        "every day of the range, quiet days too",
      );
      const captions = await page.$$eval("#summary-body figcaption", (els) => els.map((e) => e.textContent));
      assert.deepEqual(captions, [
        "Jobs per state per day",
        "Aborted and canceled share per printer",
        "Busiest users",
        "Busiest printers",
      ]);
      assert.ok((await page.locator("#summary-body svg rect.completed").count()) >= 1);
      const printers = await page.$$eval("#summary-body .charts figure:nth-of-type(3) table tbody tr", (rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent ?? "")),
      );
      assert.deepEqual(printers[0], ["Finance 2nd floor", "12"], "the busiest printer first");
      const shares = await page.$$eval("#summary-body .charts figure:nth-of-type(1) table tbody tr", (rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent ?? "")),
      );
      const lobbyShare = shares.find((r) => r[0] === "Lobby colour MFP")!;
      assert.deepEqual(lobbyShare.slice(1), ["8", "1", "2", "38%"], "the lobby printer: 1 aborted and 2 canceled of 8");
      await shot(page, "7-summary");
    } finally {
      await context.close();
    }
  });

  test("the CSV download holds the filter's rows, fetched with the key header and saved from a Blob", async () => {
    const { context, page } = await newPage();
    try {
      await openWithKey(page);
      await page.locator("#jobs-table").waitFor();
      await page.locator("#f-printer").selectOption({ label: "Finance 2nd floor" });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^print-audit-\d{4}-\d{2}-\d{2}\.csv$/);
      const path = join(artifacts, "download.csv");
      await download.saveAs(path);
      const lines = readFileSync(path, "utf8")
        .replace(/^\uFEFF/, "")
        .trim()
        .split(/\r?\n/);
      assert.match(lines[0]!, /^PrinterId,PrinterName,JobId,JobState/);
      assert.equal(lines.length - 1, 12, "the finance printer's 12 jobs, each seen once");
      assert.ok(lines.slice(1).every((l) => l.includes("Finance 2nd floor")));
      assert.ok(download.url().startsWith("blob:"), "saved from a Blob, not a URL with the key");
      await page.locator("#status", { hasText: "CSV of the current filter downloaded" }).waitFor();
    } finally {
      await context.close();
    }
  });

  test("where no key is needed, the page tries without one, never asks, and says nobody signed in", async () => {
    const open = await new LocalFunctionsHost(rig.registrations).start();
    const { context, page } = await newPage();
    const sent: (string | undefined)[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/audit/jobs")) sent.push(request.headers()["x-functions-key"]);
    });
    try {
      await page.goto(`${open.baseUrl}/audit/ui`);
      await page.locator("#jobs-table").waitFor();
      assert.equal(await page.locator("#key-prompt").isHidden(), true);
      assert.equal(
        await page.locator("#access-state").innerText(),
        "No key needed: the audit API answered without one",
        "nobody signed in here: the line does not claim a sign-in",
      );
      assert.ok(sent.length > 0 && sent.every((k) => k === undefined), "no key header was sent");
    } finally {
      await context.close();
      await open.stop();
    }
  });

  test("behind App Service authentication the key prompt also offers Entra sign-in, coming back to the same view", async () => {
    const { context, page } = await newPage();
    try {
      await page.route("**/.auth/me", (route) => route.fulfill({ status: 401, body: "" }));
      await page.goto(`${rig.api}/audit/ui#/summary`);
      await page.locator("#sign-in").waitFor({ state: "visible" });
      const href = await page.locator("#sign-in-link").getAttribute("href");
      assert.equal(href, `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent("/api/audit/ui#/summary")}`);
    } finally {
      await context.close();
    }
  });

  test("403: says which key or role is missing", async () => {
    const { context, page } = await newPage();
    try {
      await page.route("**/api/audit/jobs**", (route) =>
        route.fulfill({
          status: 403,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "forbidden", message: "Forbidden" } }),
        }),
      );
      await page.goto(`${rig.api}/audit/ui`);
      await page.locator("#problem").waitFor({ state: "visible" });
      const text = await page.locator("#problem").innerText();
      assert.match(text, /Access denied \(403\)/);
      assert.match(text, /app role/);
      await shot(page, "8-forbidden");
    } finally {
      await context.close();
    }
  });

  test("no data yet: says when the next audit run is due", async () => {
    const { context, page } = await newPage();
    const prefix = `empty${Date.now().toString(36)}`;
    rig.configure({ AUDIT_TABLE_PREFIX: prefix });
    try {
      await clearOfRunTime();
      await openWithKey(page);
      await page.getByText("No print jobs have been audited yet").waitFor();
      const text = await page.locator("#jobs-body").innerText();
      assert.match(text, /The audit runs every 10 minutes\. The next run is due at .+ \(in /);
      await shot(page, "9-no-data");
    } finally {
      rig.configure({ AUDIT_TABLE_PREFIX: undefined });
      await context.close();
    }
  });

  test("readable at 200% zoom: no sideways scrolling of the page", async () => {
    const { context, page } = await newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
    try {
      await openWithKey(page);
      await page.locator("#jobs-table").waitFor();
      const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 640 CSS px`);
      await shot(page, "10-zoom-200", false);
      await page.goto(`${rig.api}/audit/ui#/job/${lobby}/100`);
      await page.locator("#timeline svg").waitFor();
      assert.ok((await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")) <= 1);
      await shot(page, "11-timeline-zoom-200", false);
    } finally {
      await context.close();
    }
  });

  test("no request from the page carries the key in its URL, and the page never logs it", () => {
    const api = requested.filter((r) => r.url.includes("/api/audit/jobs") || r.url.includes("/api/audit/printers/"));
    assert.ok(api.length > 10, `the tests made API calls (${api.length})`);
    assert.ok(
      api.some((r) => r.key === functionKey),
      "the key travels in the x-functions-key header",
    );
    for (const r of requested) {
      assert.ok(!r.url.includes(functionKey) && !/[?&]code=/.test(r.url), `key in a URL: ${r.url}`);
    }
    assert.ok(!logged.some((line) => line.includes(functionKey)), "the key is never logged");
    assert.deepEqual(
      logged.filter((l) => l.startsWith("pageerror")),
      [],
      "no script errors",
    );
    assert.deepEqual(
      logged.filter((l) => /Content Security Policy/i.test(l)),
      [],
      "nothing the page does breaks its own CSP",
    );
  });
});
