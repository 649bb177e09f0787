// The accessibility test's browser half: serves a built site under its base path with the strict
// CSP, runs axe-core (every rule it runs by default, of any impact) on every HTML page in the
// light and the dark colour scheme at a desktop width, and in the light scheme at a phone's
// (320 CSS pixels, where wide tables and code scroll); on the search page showing results with
// its filters open, and on a header search box's quick results; tabs through every page and
// notes each stop that shows no focus ring; and prints what it found as one JSON object for
// tests/testsuite/accessibility.rs.
// Usage: node axe.mjs <site dir> <base path>
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { createRequire } from "node:module";
import { openBrowser } from "./browser.mjs";
import { serveSite } from "./serve.mjs";

const axeSource = createRequire(import.meta.url)("axe-core").source;
const [root, base = "/"] = process.argv.slice(2);
if (!root) {
  console.error("usage: node axe.mjs <site dir> <base path>");
  process.exit(2);
}

/** Every HTML file under `dir`, as URL paths below the base path. */
function htmlPages(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...htmlPages(path));
    else if (entry.name.endsWith(".html")) found.push(relative(root, path).split(sep).join("/"));
  }
  return found.sort().map((file) => file.replace(/(^|\/)index\.html$/, "$1"));
}

/** axe's violations on the page as it is now, trimmed to what a reader of the report needs. */
async function audit(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary })),
  }));
}

/**
 * Tabs through the page as a keyboard user would (at most `limit` stops) and returns each
 * focused element that shows no focus ring (no outline and no box shadow), and how many it saw.
 */
async function focusRings(page, limit = 400) {
  const invisible = [];
  let stops = 0;
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      window.__focused = window.__focused || new WeakSet();
      if (!el || el === document.body || window.__focused.has(el)) return null;
      window.__focused.add(el);
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
      const label = (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 40);
      return { ring, name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} “${label}”` };
    });
    // Past the last stop focus leaves the page (or comes round again): every stop was seen.
    if (!focused) return { stops, invisible };
    stops += 1;
    if (!focused.ring) invisible.push(focused.name);
  }
  throw new Error(`${page.url()} has more than ${limit} focus stops: raise the limit`);
}

const server = await serveSite(root, base);
const { page, close } = await openBrowser();
const report = { pages: 0, audits: 0, redirects: 0, violations: [], focusStops: 0, focusInvisible: [] };
// A redirect page refreshes to its target at once; while one is audited, that navigation is
// answered 204 No Content, on which a browser stays where it is, so axe sees the redirect page.
let holdOn = null;
await page.route("**/*", (route) => {
  const request = route.request();
  if (holdOn && request.isNavigationRequest() && request.url() !== holdOn) return route.fulfill({ status: 204 });
  return route.continue();
});
const record = (path, scheme, found) => {
  report.audits += 1;
  for (const violation of found) report.violations.push({ path, scheme, ...violation });
};
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 320, height: 640 };
try {
  const pages = htmlPages(root);
  report.pages = pages.length;
  for (const path of pages) {
    const url = `${server.origin}${base}${path}`;
    const html = await (await fetch(url)).text();
    // Only a real meta element counts: a hostile page shows such markup as escaped text.
    holdOn = /<meta http-equiv="?refresh/i.test(html) ? url : null;
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
    // The theme's pages need no script to be complete: "load" is when they are.
    await page.goto(url, { waitUntil: "load" });
    // The page audited is the one asked for, not where a refresh led.
    if (page.url() !== url) throw new Error(`${url} was left for ${page.url()}`);
    if (holdOn) report.redirects += 1;
    record(path, "light", await audit(page));
    await page.emulateMedia({ colorScheme: "dark" });
    record(path, "dark", await audit(page));
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE);
    record(path, "light, 320px", await audit(page));
    await page.setViewportSize(DESKTOP);
    const rings = await focusRings(page);
    report.focusStops += rings.stops;
    if (!rings.stops) report.focusInvisible.push(`${path}: no focus stop at all`);
    report.focusInvisible.push(...rings.invisible.map((name) => `${path}: ${name}`));
    holdOn = null;
  }
  // The search page with results, its filter panel open and the live region filled.
  await page.goto(`${server.origin}${base}search/?q=a`, { waitUntil: "load" });
  await page.waitForFunction(() => /result/.test(document.getElementById("search-status").textContent), null, {
    timeout: 15000,
  });
  await page.locator("#search-facets-toggle").click();
  await page.locator("#search-facets input").first().waitFor();
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    record("search/?q=a", scheme, await audit(page));
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(PHONE);
  record("search/?q=a", "light, 320px", await audit(page));
  await page.setViewportSize(DESKTOP);
  // The quick results a header search box shows as the reader types.
  await page.goto(`${server.origin}${base}`, { waitUntil: "load" });
  await page.locator("#site-search").fill("a");
  await page.locator("#site-search-quick a").first().waitFor({ timeout: 15000 });
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    record("(quick results)", scheme, await audit(page));
  }
} catch (error) {
  report.error = error.message.split("\n")[0];
} finally {
  await close();
  server.close();
}
console.log(JSON.stringify(report, null, 2));
