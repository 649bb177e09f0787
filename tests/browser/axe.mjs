// The accessibility test's browser half: serves a built site under its base path with the strict
// CSP, runs axe-core (every rule it runs by default, of any impact) on every HTML page in the
// light and the dark colour scheme, and on the search page showing results with its filters
// open, and prints what it found as one JSON object for tests/testsuite/accessibility.rs.
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

const server = await serveSite(root, base);
const { page, close } = await openBrowser();
const report = { pages: 0, audits: 0, violations: [] };
// A redirect page refreshes to its target at once; while one is audited, that navigation is
// stopped so axe sees the redirect page itself.
let holdOn = null;
await page.route("**/*", (route) => {
  const request = route.request();
  if (holdOn && request.isNavigationRequest() && request.url() !== holdOn) return route.abort();
  return route.continue();
});
const record = (path, scheme, found) => {
  report.audits += 1;
  for (const violation of found) report.violations.push({ path, scheme, ...violation });
};
try {
  const pages = htmlPages(root);
  report.pages = pages.length;
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of pages) {
      const url = `${server.origin}${base}${path}`;
      const html = await (await fetch(url)).text();
      holdOn = /http-equiv="?refresh/i.test(html) ? url : null;
      await page.goto(url, { waitUntil: "networkidle" });
      record(path, scheme, await audit(page));
      holdOn = null;
    }
    // The search page with results, a filter panel open and the live region filled.
    await page.goto(`${server.origin}${base}search/?q=a`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => /result/.test(document.getElementById("search-status").textContent), null, {
      timeout: 15000,
    });
    const toggle = page.locator("#search-facets-toggle");
    if (await toggle.isVisible()) await toggle.click();
    await page.waitForTimeout(200);
    record("search/?q=a", scheme, await audit(page));
  }
} catch (error) {
  report.error = error.message.split("\n")[0];
} finally {
  await close();
  server.close();
}
console.log(JSON.stringify(report, null, 2));
