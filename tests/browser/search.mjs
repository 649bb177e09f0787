// The search test's browser half: serves a built fixture site under a base path with a strict
// CSP, drives the search UI in Chromium like a reader, and prints what it saw as one JSON object
// for tests/testsuite/search.rs to judge. Usage: node search.mjs <site dir> <base path>
import { openBrowser, collectCsp } from "./browser.mjs";
import { serveSite } from "./serve.mjs";

const [root, base = "/"] = process.argv.slice(2);
if (!root) {
  console.error("usage: node search.mjs <site dir> <base path>");
  process.exit(2);
}

/** What the /search/ page shows once the status line matches `pattern`. */
async function settled(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById("search-status").textContent),
    pattern.source,
    { timeout: 15000 },
  );
  await page.waitForTimeout(50);
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll("#search-results .search-result-title")].map((h) => h.textContent),
    marks: [...document.querySelectorAll("#search-results mark")].map((m) => m.textContent.toLowerCase()),
    claims: [...document.querySelectorAll("#search-results .search-claim")].map((li) => ({
      href: li.querySelector("a").getAttribute("href"),
      badge: li.querySelector(".badge").textContent,
      marks: [...li.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()),
    })),
    corrected: document.getElementById("search-corrected").hidden ? null : document.getElementById("search-corrected").textContent,
    place: document.getElementById("search-place").hidden ? null : document.getElementById("search-place").textContent,
    links: [...document.querySelectorAll("#search-results .search-result-title a")].map((a) => a.getAttribute("href")),
    noneShown: !document.getElementById("search-none").hidden,
    query: location.search,
  }));
}

async function typeQuery(page, text) {
  await page.fill("#search-q", "");
  await page.type("#search-q", text, { delay: 40 });
}

const countOf = (seen) => Number((seen.status.match(/^(\d+) result/) || [])[1] ?? -1);

async function searchPage(page, origin, report, requests) {
  await page.goto(`${origin}${base}search/`);
  report.idle = await settled(page, /Type to search/);
  report.facets = await page.evaluate(() =>
    [...document.querySelectorAll(".facet legend")].map((l) => l.textContent),
  );
  await typeQuery(page, "Harborline");
  report.byName = await settled(page, /for “Harborline”/);
  await typeQuery(page, "retaliation");
  report.byClaimWord = await settled(page, /for “retaliation”/);
  // A claim found as a sub-result leads to that claim on the provider's page.
  const claim = report.byClaimWord.claims[0];
  if (claim) {
    await page.click(`#search-results .search-claim a[href="${claim.href}"]`);
    await page.waitForLoadState("load");
    report.claimTarget = await page.evaluate(() => {
      const target = document.getElementById(location.hash.slice(1));
      return target ? { id: target.id, className: target.className } : null;
    });
    await page.goBack();
    await settled(page, /for “retaliation”/);
  }
  await typeQuery(page, "retalation");
  report.typo = await settled(page, /for “retalation”/);
  report.filterChunksBeforeCountry = requests.some((r) => r.path.includes("/search-index/filter/"));
  await typeQuery(page, "Germany");
  report.byCountry = await settled(page, /for “Germany”/);

  await typeQuery(page, "mail");
  report.unfiltered = await settled(page, /for “mail”$/);
  await page.click("#search-facets-toggle");
  await page.getByLabel(/^Germany \(DE\)/).check();
  report.filtered = await settled(page, /for “mail”, 1 filter applied/);
  report.filteredCount = countOf(report.filtered);
  report.unfilteredCount = countOf(report.unfiltered);
  await page.goBack();
  report.afterBack = await settled(page, /for “mail”$/);
  report.afterBackChecked = await page.getByLabel(/^Germany \(DE\)/).isChecked();
  await typeQuery(page, "qwxzzy");
  report.nothing = await settled(page, /0 results/);
  // A country code is the jurisdiction, offered as the filter: the code leaves the query.
  await typeQuery(page, "DE");
  report.byCode = await settled(page, /for “DE”/);
  await page.click("#search-place button");
  report.placeFilter = await settled(page, /^\d+ results?, 1 filter applied/);
  report.placeFilterChecked = await page.getByLabel(/^Germany \(DE\)/).isChecked();
  await collectCsp(page, report.problems);
}

async function sharedUrl(page, origin, report) {
  await page.goto(`${origin}${base}search/?q=mail&freshness=stale`);
  report.shared = await settled(page, /for “mail”, 1 filter applied/);
  await page.goto(`${origin}${base}search/?q=mail&sort=changed-desc`);
  report.byChange = await settled(page, /for “mail”$/);
  report.byChangeSort = await page.inputValue("#search-sort");
  await page.goto(`${origin}${base}search/?q=mail&freshness=stale`);
  await settled(page, /for “mail”, 1 filter applied/);
  // Keyboard only: from the search box, Tab passes the Search button and the filters' toggle
  // (open, since the URL has a filter) to the first checkbox.
  await page.focus("#search-q");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  report.keyboardFocus = await page.evaluate(() => document.activeElement && document.activeElement.type);
  await collectCsp(page, report.problems);
}

async function quickSearch(page, origin, report, requests) {
  const mark = requests.length;
  await page.goto(`${origin}${base}providers/examplemail/`);
  await page.waitForLoadState("networkidle");
  report.engineBeforeFocus = requests.slice(mark).some((r) => /\/search-index\/|search-ui/.test(r.path));
  await page.focus("#site-search");
  await page.keyboard.type("zonequill", { delay: 40 });
  await page.waitForSelector(".search-quick:not([hidden]) .search-quick-results a", { timeout: 15000 });
  report.quickTitles = await page.$$eval(".search-quick-title", (spans) => spans.map((s) => s.textContent));
  await page.keyboard.press("ArrowDown");
  report.quickFocus = await page.evaluate(() => document.activeElement.getAttribute("href"));
  await page.keyboard.press("Escape");
  report.quickClosed = await page.$eval(".search-quick", (p) => p.hidden);
  await collectCsp(page, report.problems);
}

/** The other kinds of page load under the same policy without errors too. */
async function otherPages(page, origin, report) {
  for (const path of ["", "categories/email-hosting/", "maintenance/", "tags/", "about/", "404.html"]) {
    await page.goto(`${origin}${base}${path}`);
    await page.waitForLoadState("networkidle");
    await collectCsp(page, report.problems);
  }
}

const server = await serveSite(root, base);
const { page, problems, close } = await openBrowser();
const report = { problems };
const steps = [searchPage, sharedUrl, quickSearch, otherPages];
try {
  for (const step of steps) {
    try {
      await step(page, server.origin, report, server.requests);
    } catch (error) {
      report.error = `${step.name}: ${error.message.split("\n")[0]}`;
      break;
    }
  }
} finally {
  await close();
  server.close();
}
console.log(JSON.stringify(report, null, 2));
