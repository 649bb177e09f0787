// Launches Debian's Chromium through playwright-core (no browser download) and records every
// console error and warning, page error, failed request and Content-Security-Policy violation.
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** A fresh headless browser and page; `problems` fills as the page runs. */
export async function openBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (scripts/test.sh does)`);
  }
  const profile = mkdtempSync(join(tmpdir(), "dossier-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const problems = { console: [], warnings: [], pageErrors: [], failedRequests: [], badResponses: [], csp: [] };
  const watchConsole = (source) => (message) => {
    if (message.type() === "error") problems.console.push(`${source}: ${message.text()}`);
    if (message.type() === "warning") problems.warnings.push(`${source}: ${message.text()}`);
  };
  page.on("console", watchConsole("page"));
  page.on("pageerror", (error) => problems.pageErrors.push(String(error)));
  page.on("worker", (worker) => {
    if (typeof worker.on === "function") worker.on("console", watchConsole("worker"));
  });
  context.on("requestfailed", (request) => {
    problems.failedRequests.push(`${request.url()}: ${request.failure() && request.failure().errorText}`);
  });
  context.on("response", (response) => {
    if (response.status() >= 400) problems.badResponses.push(`${response.status()} ${response.url()}`);
  });
  // Runs before any page script, outside the page's CSP (it is injected by the browser).
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, problems, close };
}

/** Adds the CSP violations the current page recorded to `problems`. */
export async function collectCsp(page, problems) {
  const found = await page.evaluate(() => window.__csp || []);
  problems.csp.push(...found);
}
