/**
 * The daily summaries' jobs-per-day chart over a month, in Debian's Chromium at the widths people use (a phone
 * to a wide screen): its day labels never overlap and stay inside the chart, quiet days carry no "0", and it
 * draws itself again when the window changes width. The month is served in place of the summaries route.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, type Page } from "playwright-core";
import { type SummaryAnswer } from "../../src/contract/auditAnswers";
import { repoRoot } from "../../sandbox/host/functionApp";
import { chromiumSkip as skip, launchChromium } from "../rig/browser";
import { startRig, type Rig } from "../rig/rig";

/** Where the screenshots go: test-artifacts/viewer, or the folder VIEWER_SCREENSHOTS names (a closing note's). */
const screens = process.env.VIEWER_SCREENSHOTS || join(repoRoot(), "test-artifacts", "viewer");

/** November 2026: every third day quiet, the others busy with up to a few hundred jobs. */
function month(): SummaryAnswer {
  const days = Array.from({ length: 30 }, (_, i): SummaryAnswer["days"][number] => {
    const day = `2026-11-${String(i + 1).padStart(2, "0")}`;
    if (i % 3 === 2) return { day, jobs: 0, states: {} };
    const completed = 40 + ((i * 37) % 260);
    const aborted = i % 4;
    return { day, jobs: completed + aborted, states: { completed, aborted } };
  });
  const jobs = days.reduce((n, d) => n + d.jobs, 0);
  return {
    from: "2026-11-01",
    to: "2026-11-30",
    timeZone: "UTC",
    jobs,
    states: ["completed", "aborted"],
    days,
    printers: [{ printerId: "p1", printerName: "Lobby", jobs, aborted: 30, canceled: 0, states: {} }],
    users: [],
    usersRecorded: false,
  };
}

const answer = month();
const quietDays = answer.days.filter((d) => d.jobs === 0).length;

/** What getBoundingClientRect answers, without the DOM types this Node build lacks. */
/** The page's requestAnimationFrame, for a function run there (the tests are typed without the DOM's types). */
declare const requestAnimationFrame: (callback: () => void) => number;

interface DOMRectLike {
  left: number;
  right: number;
}

interface Box {
  text: string;
  left: number;
  right: number;
}

/** The chart's day labels and column totals as drawn, and the chart's own box. */
async function drawn(page: Page): Promise<{ labels: Box[]; totals: string[]; chart: { left: number; right: number } }> {
  return page.$eval(".day-chart svg", (svg) => {
    const box = (e: { textContent: string | null; getBoundingClientRect: () => DOMRectLike }): Box => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent ?? "", left: r.left, right: r.right };
    };
    const chart = svg.getBoundingClientRect();
    return {
      labels: [...svg.querySelectorAll("text.day-label")].map(box),
      totals: [...svg.querySelectorAll("text.day-total")].map((e) => e.textContent ?? ""),
      chart: { left: chart.left, right: chart.right },
    };
  });
}

function assertReadable({ labels, chart }: Awaited<ReturnType<typeof drawn>>, width: number): void {
  assert.ok(labels.length >= 3, `at ${width}px the axis names at least 3 days (${labels.length})`);
  for (let i = 1; i < labels.length; i++)
    assert.ok(
      labels[i]!.left >= labels[i - 1]!.right,
      `at ${width}px "${labels[i - 1]!.text}" and "${labels[i]!.text}" overlap: ${JSON.stringify(labels)}`,
    );
  assert.ok(labels[0]!.left >= chart.left - 0.5, `at ${width}px the first label starts inside the chart`);
  assert.ok(labels.at(-1)!.right <= chart.right + 0.5, `at ${width}px the last label ends inside the chart`);
}

describe("the month's jobs-per-day chart reads at every width", { skip }, () => {
  let rig: Rig;
  let browser: Browser;
  before(async () => {
    mkdirSync(screens, { recursive: true });
    rig = await startRig();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  async function openMonth(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "en-GB" });
    const page = await context.newPage();
    await page.route("**/api/audit/summaries**", (route) =>
      route.fulfill({ contentType: "application/json", body: JSON.stringify(answer) }),
    );
    await page.goto(`${rig.api}/audit/ui#/summary?from=2026-11-01&to=2026-11-30`);
    await page.locator(".day-chart svg text.day-label").first().waitFor();
    // The chart is drawn twice: first before it is on screen (its labels thinned by an estimate, at 640 px), then at
    // its box's width by the ResizeObserver, in the next rendering of the page. Two animation frames later that
    // drawing is in place; without the wait a loaded machine let a check read the first (no totals at 1280 px).
    await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    return page;
  }

  for (const width of [320, 375, 480, 768, 1024, 1280, 1920]) {
    test(`at ${width}px wide no two day labels overlap and none leaves the chart`, async () => {
      const page = await openMonth(width);
      try {
        const chart = await drawn(page);
        assertReadable(chart, width);
        assert.equal(chart.labels[0]!.text, "Sun 1 Nov", "the month's first day is named");
        if (width === 375) await page.screenshot({ path: join(screens, "month-chart-375px.png"), fullPage: true });
        if (width === 1280) await page.screenshot({ path: join(screens, "month-chart-1280px.png"), fullPage: true });
      } finally {
        await page.context().close();
      }
    });
  }

  test("quiet days have no column and no 0; busy days show their total where it fits", async () => {
    const page = await openMonth(1280);
    try {
      const { totals } = await drawn(page);
      assert.ok(!totals.includes("0"), `no "0" over a quiet day: ${totals.join(" ")}`);
      assert.equal(totals.length, answer.days.length - quietDays, "every busy day's total over its column");
      assert.equal(
        await page.locator(".day-chart rect").count(),
        answer.days.filter((d) => d.states.completed).length + answer.days.filter((d) => d.states.aborted).length,
        "columns for busy days only",
      );
    } finally {
      await page.context().close();
    }
  });

  test("the chart is drawn again for the new width when the window narrows, its labels thinned to fit", async () => {
    const page = await openMonth(1280);
    try {
      const wide = await drawn(page);
      await page.setViewportSize({ width: 360, height: 900 });
      // Fewer labels: the wide chart's last one gone (30 s at most). A locator, not waitForFunction: Playwright polls a
      // string predicate with eval in the page, which the page's Content Security Policy refuses (an EvalError
      // whenever the chart was not drawn again by the first check).
      await page
        .locator(".day-chart text.day-label")
        .nth(wide.labels.length - 1)
        .waitFor({ state: "detached", timeout: 30_000 });
      assertReadable(await drawn(page), 360);
    } finally {
      await page.context().close();
    }
  });
});
