/**
 * The viewer against hostile recorded values, in Debian's Chromium: jobs built by fast-check with hostile
 * strings in every field (bad percent-encodings, 100 KB values, controls, markup, bidi overrides, lone
 * surrogates, numbers as strings, dates that do not parse) are served in place of the audit API's answers,
 * and each view must render with no error view, no injected element, no script run, no invisible or
 * direction-steering character applied, and each recorded value in its own bidi isolate. Then the issue's
 * attacks go the whole way: recorded by the audit from the simulator, shown by the viewer.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { jobColumns, taskColumns } from "../../src/audit/snapshot";
import { chromiumSkip as skip, launchChromium } from "../rig/browser";
import { Figures } from "../rig/figures";
import { runScheduledAudit, serveAuditQueues } from "../rig/auditedApp";
import { startRig, type Rig } from "../rig/rig";
import { makeJob, printerIdFor } from "../../sandbox/tenant";

const big = "W".repeat(100_000);
const hostileStrings = [
  '<img src=x onerror="window.__pwned=1">',
  "<script>window.__pwned=1</script>",
  '"><svg onload="window.__pwned=1"><a href="javascript:window.__pwned=1">x</a>',
  "javascript:window.__pwned=1",
  "%E0%A4%A",
  "%",
  "%zz%",
  "Mallory \u202Emoc.osotnoc@htims.nhoj",
  "Salary review \u202Efdp.exe",
  "\u2066\u2067\u2068\u2069\u202A\u202B\u202C\u202D\u200E\u200F\u061C",
  "a\u200Bb\u200C\u200D\u2060\u2061\u2062\u2063\u2064\uFEFF\u00AD",
  "\u0000\u0007\u001B[31mred\u007F\u0085",
  "line\u2028next\u2029para",
  "\uD800",
  "x\uDFFFy",
  "\u3164\u115F",
  "שלום עולם",
  "مرحبا 123",
  "__proto__",
  "constructor",
  "NaN",
  "-1",
  "1e308",
  "Infinity",
  "2026-02-30T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "-271821-04-20T00:00:00Z",
  "not a date",
  "1-3,5",
  "1-99999999999999999999",
  '=HYPERLINK("http://x?"&A1,"y")',
  "",
  " ",
];
const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...hostileStrings), { minLength: 2, maxLength: 4 })
      .map((parts) => parts.join(" ")),
  },
  { weight: 1, arbitrary: fc.constant(big) },
);
const graphJobLink = fc
  .tuple(fc.oneof(hostileString, fc.uuid()), hostileString)
  .map(([printer, job]) => `https://graph.microsoft.com/v1.0/print/printers/${printer}/jobs/${job}`);
const time = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  hostileString,
);
const value = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
type Row = Record<string, unknown>;
/** A recorded row with a hostile value in every column; ids kept as strings so rows group into jobs. */
const jobRow = fc
  .record(Object.fromEntries(jobColumns.map((c) => [c, value])) as Record<string, fc.Arbitrary<unknown>>)
  .chain((row) =>
    fc
      .record({
        PrinterId: hostileString,
        JobId: hostileString,
        CreatedDateTime: time,
        ObservedDateTime: time,
        AcknowledgedDateTime: time,
        RedirectedTo: fc.oneof(graphJobLink, value),
        RedirectedFrom: fc.oneof(graphJobLink, value),
      })
      .map((ids) => ({ ...row, ...ids }) as Row),
  );
const taskRow = fc
  .record(Object.fromEntries(taskColumns.map((c) => [c, value])) as Record<string, fc.Arbitrary<unknown>>)
  .chain((row) =>
    fc
      .record({
        TaskId: hostileString,
        TaskState: fc.oneof(fc.constantFrom("processing", "completed", "aborted"), hostileString),
        ObservedDateTime: time,
      })
      .map((t) => ({ ...row, ...t }) as Row),
  );
const history = fc.record({
  printerName: fc.oneof(hostileString, fc.constant(undefined)),
  states: fc.array(jobRow, { minLength: 1, maxLength: 8 }),
  tasks: fc.array(taskRow, { maxLength: 6 }),
});

/** One row of 100 KB values in every column. */
const hugeRow: Row = Object.fromEntries(jobColumns.map((c) => [c, `${c} ${big}`]));

let rig: Rig;
let browser: Browser;

/** An address can only carry well-formed text. */
const wellFormed = (text: string): string => text.replace(/[\uD800-\uDFFF]/g, "\uFFFD");

interface Served {
  jobs: Row[];
  history?: { printerName?: string; states: Row[]; tasks: Row[] };
}

/** A page whose audit API answers with `served`; everything the page does wrong is collected. */
async function hostilePage(served: Served): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: "Europe/Berlin",
    locale: "en-GB",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text().slice(0, 300)}`);
  });
  await page.route("**/api/audit/jobs**", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ value: served.jobs }) }),
  );
  await page.route("**/api/audit/printers/**", (route) => {
    const [, printerId = "", jobId = ""] = /\/printers\/([^/]*)\/jobs\/([^/?]*)/.exec(route.request().url()) ?? [];
    const h = served.history ?? { states: served.jobs.slice(0, 3), tasks: [] };
    return route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({
        printerId,
        jobId,
        printerName: h.printerName,
        current: h.states.at(-1),
        states: h.states,
        tasks: h.tasks,
      }),
    });
  });
  return { context, page, problems };
}

/**
 * Everything that would show a value was applied, run or injected instead of shown as text (run in the page,
 * so written as the page's own JavaScript).
 */
const inspector = String.raw`(selector) => {
  const found = [];
  if (window.__pwned !== undefined) found.push("a hostile script ran");
  const problem = document.getElementById("problem");
  if (!problem.hidden) found.push("error view: " + problem.innerText.slice(0, 300));
  if (document.scripts.length !== 1) found.push(document.scripts.length + " script elements");
  for (const el of document.querySelectorAll("img, iframe, object, embed, foreignObject, link:not([rel=icon]), body style, base, form:not(#filters):not(#key-form)")) found.push("injected <" + el.localName + ">");
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) found.push("inline handler " + attr + " on <" + el.localName + ">");
  }
  for (const a of document.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (!/^(#\/|#main$|\/\.auth\/|blob:)/.test(href)) found.push("link to " + href.slice(0, 80));
  }
  const steering = /[\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
  const isolating = new Set(["bdi", "tspan", "option", "title"]);
  for (const container of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent || "";
      if (steering.test(text)) found.push("invisible or steering character applied in " + JSON.stringify(text.slice(0, 60)));
      const parent = node.parentElement;
      if (/[^\d\s.,%—-]/.test(text) && !isolating.has(parent.localName)) found.push("text outside an isolate in <" + parent.localName + ">: " + JSON.stringify(text.slice(0, 60)));
    }
    for (const el of container.querySelectorAll("[title], [aria-label]")) {
      for (const name of ["title", "aria-label"]) if (steering.test(el.getAttribute(name) || "")) found.push("steering character in " + name);
    }
  }
  return found;
}`;

const figures = new Figures("viewer-hostile");

async function inspect(page: Page, views: string): Promise<string[]> {
  const found = await page.evaluate<string[]>(`(${inspector})(${JSON.stringify(views)})`);
  figures.add("viewsInspected");
  figures.add("problemsFound", found.length);
  return found;
}

/** Runs a property; a failure names its seed (replay it with FC_SEED=<seed>) and first problems, without printing 100 KB counterexamples. */
async function holds<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
  const run = await fc.check(property, { numRuns, endOnFailure: true, ...(seed !== undefined ? { seed } : {}) });
  if (run.failed)
    assert.fail(
      `fails with seed ${run.seed} (FC_SEED=${run.seed} replays it): ${String((run.errorInstance as Error)?.message ?? run.errorInstance).slice(0, 3000)}`,
    );
}

describe("the viewer with hostile values in every field, in Chromium", { skip }, () => {
  before(async () => {
    rig = await startRig({ storage: true });
    browser = await launchChromium();
  });
  after(async () => {
    figures.print();
    await browser?.close();
    await rig?.stop();
  });

  test("the job list and the summaries: pages of generated jobs render as text, isolated, markers for invisible characters", async () => {
    await holds(
      fc.asyncProperty(fc.array(jobRow, { minLength: 20, maxLength: 30 }), async (rows) => {
        const { context, page, problems } = await hostilePage({ jobs: [...rows, hugeRow] });
        try {
          await page.goto(`${rig.api}/audit/ui#/jobs?top=100`);
          await page.locator("#jobs-table, #problem:not([hidden])").first().waitFor();
          assert.deepEqual([...problems, ...(await inspect(page, "#jobs-body"))], []);
          assert.ok((await page.locator("#jobs-table tbody tr").count()) >= 1, "the jobs are listed");
          await page.goto(`${rig.api}/audit/ui#/summary`);
          await page.locator("#summary-body figure, #summary-body .empty, #problem:not([hidden])").first().waitFor();
          assert.deepEqual([...problems, ...(await inspect(page, "#summary-body"))], []);
        } finally {
          await context.close();
        }
      }),
      3,
    );
  });

  test("a job's view: facts, timeline, states and tasks of generated histories, with bad encodings in redirect links", async () => {
    await holds(
      fc.asyncProperty(history, hostileString, hostileString, async (served, printerId, jobId) => {
        const { context, page, problems } = await hostilePage({ jobs: [], history: served });
        try {
          await page.goto(
            `${rig.api}/audit/ui#/job/${encodeURIComponent(wellFormed(printerId.slice(0, 200)))}/${encodeURIComponent(wellFormed(jobId.slice(0, 200)))}`,
          );
          await page.locator("#job-body .facts, #job-body .empty, #problem:not([hidden])").first().waitFor();
          assert.deepEqual([...problems, ...(await inspect(page, "#job-title, #job-body"))], []);
        } finally {
          await context.close();
        }
      }),
      8,
    );
  });

  test("an address with bad percent-encoding opens the job view instead of failing", async () => {
    const { context, page, problems } = await hostilePage({
      jobs: [],
      history: { states: [{ ...hugeRow, ObservedDateTime: "2026-11-20T10:00:00Z" }], tasks: [] },
    });
    try {
      await page.goto(`${rig.api}/audit/ui#/job/%E0%A4%A/%`);
      await page.locator("#job-body .facts").waitFor();
      assert.deepEqual([...problems, ...(await inspect(page, "#job-title, #job-body"))], []);
      assert.match(await page.locator("#job-title").innerText(), /^Job %/);
    } finally {
      await context.close();
    }
  });

  test("the issue's attacks recorded by the audit: direction overrides shown as markers, a bad redirect link does not break the job view", async () => {
    const printerId = printerIdFor(91);
    rig.sim.addPrinter({ id: printerId, displayName: "Reception \u202Eexe.pdf" });
    const spoof = makeJob(printerId, 1, { state: "completed", createdDateTime: "2026-11-20T09:00:00Z" });
    spoof.createdBy = {
      id: "u-mallory",
      userPrincipalName: "mallory@contoso.com",
      displayName: "Mallory \u202Emoc.osotnoc@htims.nhoj",
    };
    spoof.documents = [{ id: "d1", displayName: "Salary review \u202Efdp.exe", size: 5 }];
    rig.sim.addJob(printerId, spoof);
    rig.sim.addJob(
      printerId,
      makeJob(printerId, 2, {
        state: "canceled",
        createdDateTime: "2026-11-20T09:05:00Z",
        redirectedTo: "https://graph.microsoft.com/v1.0/print/printers/%E0%A4%A/jobs/%E0%A4%A",
      }),
    );
    rig.configure({ AUDIT_PRINTER_IDS: printerId, AUDIT_TABLE_PREFIX: "viewerhostile" });
    await serveAuditQueues(rig);
    try {
      await runScheduledAudit(rig);
    } finally {
      await rig.host.stopTriggers();
    }
    const context = await browser.newContext({ timezoneId: "Europe/Berlin", locale: "en-GB" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${rig.api}/audit/ui#/job/${printerId}/1`);
      await page.locator("#job-body .facts").waitFor();
      const facts = await page.locator(".facts").innerText();
      assert.match(facts, /Mallory ⟨U\+202E⟩moc\.osotnoc@htims\.nhoj/, "the override is shown, not applied");
      assert.match(facts, /Salary review ⟨U\+202E⟩fdp\.exe/);
      assert.doesNotMatch(await page.locator("body").innerText(), /\u202E/);
      assert.equal(
        await page.locator(".facts bdi", { hasText: "Mallory ⟨U+202E⟩moc.osotnoc@htims.nhoj" }).count(),
        1,
        "the name sits in its own isolate",
      );
      assert.deepEqual(await inspect(page, "#job-title, #job-body"), []);

      await page.goto(`${rig.api}/audit/ui#/job/${printerId}/2`);
      await page.locator("#job-body .facts").waitFor();
      assert.match(
        await page.locator(".facts").innerText(),
        /Redirected to\s+job %E0%A4%A on %E0%A4%A/,
        "the link's parts shown as recorded",
      );
      assert.deepEqual(await inspect(page, "#job-title, #job-body"), []);

      await page.goto(`${rig.api}/audit/ui#/jobs`);
      await page.locator("#jobs-table").waitFor();
      assert.match(await page.locator("#jobs-table").innerText(), /Reception ⟨U\+202E⟩exe\.pdf/);
      assert.deepEqual(await inspect(page, "#jobs-body"), []);
      const json = (await (await fetch(`${rig.api}/audit/printers/${printerId}/jobs/1`)).json()) as { current: Row };
      assert.equal(
        json.current.CreatedByName,
        "Mallory \u202Emoc.osotnoc@htims.nhoj",
        "the JSON API keeps the value as recorded",
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
