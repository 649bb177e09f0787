// The live-reload test's browser half: opens a provider page served by a running `dossier serve`,
// edits the wiki on disk, and records what the open page did, as one JSON object for
// tests/testsuite/serve.rs to judge. A page that reloads loses `window.__marker`; one that only
// swapped its stylesheet keeps it.
// Usage: node reload.mjs <page URL> <dossier file> <stylesheet file>
import { readFileSync, writeFileSync } from "node:fs";
import { openBrowser } from "./browser.mjs";

const [url, dossier, stylesheet] = process.argv.slice(2);
if (!url || !dossier || !stylesheet) {
  console.error("usage: node reload.mjs <page URL> <dossier file> <stylesheet file>");
  process.exit(2);
}
const TIMEOUT = 15000;

/** Replaces `from` (which must be there) with `to` in `file`. */
function edit(file, from, to) {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

/** Resolves once the page's event stream is connected (its response head arrived). */
const eventsOpen = (page) =>
  page.waitForResponse((r) => r.url().endsWith("/__dossier/events") && r.status() === 200, { timeout: TIMEOUT });

const state = (page) =>
  page.evaluate(() => ({
    marker: window.__marker ?? null,
    title: document.querySelector("h1")?.textContent ?? "",
    overlay: Boolean(document.getElementById("dossier-overlay")),
    stylesheet: document.querySelector('link[rel="stylesheet"]')?.getAttribute("href") ?? "",
  }));

const until = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: TIMEOUT });

const report = { problems: null, error: null };
const { page, problems, close } = await openBrowser();
// Console messages name no URL; keep where each error came from.
report.consoleSources = [];
page.on("console", (m) => m.type() === "error" && report.consoleSources.push(m.location().url));
try {
  let connected = eventsOpen(page);
  await page.goto(url);
  await connected;
  report.initial = await state(page);

  // 1. An edit reloads the open page.
  await page.evaluate(() => (window.__marker = 1));
  connected = eventsOpen(page);
  edit(dossier, "name: ExampleMail", "name: Reloaded Mailco");
  await until(page, () => window.__marker === undefined && document.querySelector("h1")?.textContent.includes("Reloaded Mailco"));
  await connected;
  report.afterEdit = await state(page);

  // 2. A stylesheet edit swaps the stylesheet in place: no reload.
  await page.evaluate(() => (window.__marker = 2));
  const before = report.afterEdit.stylesheet;
  writeFileSync(stylesheet, readFileSync(stylesheet, "utf8") + "\nh1{outline:3px solid rgb(1,2,3)}\n");
  await until(page, (old) => document.querySelector('link[rel="stylesheet"]').getAttribute("href") !== old, before);
  await until(page, () => getComputedStyle(document.querySelector("h1")).outlineColor === "rgb(1, 2, 3)");
  report.afterStyles = await state(page);

  // 3. Broken YAML reloads into the last good page with the overlay; fixing it clears it.
  await page.evaluate(() => (window.__marker = 3));
  connected = eventsOpen(page);
  edit(dossier, "name: Reloaded Mailco", "name: [Reloaded Mailco");
  await until(page, () => window.__marker === undefined && document.getElementById("dossier-overlay"));
  await connected;
  report.afterBreak = await state(page);
  report.overlayVisible = await page.isVisible("#dossier-overlay");

  await page.evaluate(() => (window.__marker = 4));
  edit(dossier, "name: [Reloaded Mailco", "name: Fixed Mailco");
  await until(page, () => window.__marker === undefined && document.querySelector("h1")?.textContent.includes("Fixed Mailco"));
  report.afterFix = await state(page);
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  report.problems = problems;
  await close();
}
console.log(JSON.stringify(report));
