// The Netlify test's browser half: loads pages of a deploy preview that tests/testsuite/netlify.rs
// serves with the headers of netlify.toml, searches once, and prints what it saw as one JSON
// object. Usage: node netlify.mjs <origin> <query> <missing path> <path>...
import { openBrowser, collectCsp } from "./browser.mjs";

const [origin, query, missing, ...paths] = process.argv.slice(2);
if (!origin || !query || !missing) {
  console.error("usage: node netlify.mjs <origin> <query> <missing path> <path>...");
  process.exit(2);
}

/** Loads `path` and waits until the network is quiet; returns its status and headers. */
async function visit(page, path) {
  const response = await page.goto(origin + path, { waitUntil: "networkidle" });
  const headers = response ? await response.allHeaders() : {};
  return { path, status: response ? response.status() : 0, headers };
}

async function search(page) {
  await page.goto(`${origin}/search/?q=${encodeURIComponent(query)}`);
  await page.waitForFunction(
    () => /^\d+ results? for/.test(document.getElementById("search-status").textContent),
    null,
    { timeout: 15000 },
  );
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll("#search-results .search-result-title")].map((h) => h.textContent.trim()),
  }));
}

const { page, problems, close } = await openBrowser();
const report = { problems, pages: [] };
try {
  for (const path of paths) {
    report.pages.push(await visit(page, path));
    await collectCsp(page, problems);
  }
  report.search = await search(page);
  await collectCsp(page, problems);
  // The not-found page last and on its own: its 404 is expected, its CSP must still hold.
  report.problems = JSON.parse(JSON.stringify(problems));
  const notFound = await visit(page, missing);
  notFound.title = await page.title();
  notFound.csp = [];
  await collectCsp(page, notFound);
  report.notFound = notFound;
} catch (error) {
  report.error = error.message.split("\n")[0];
} finally {
  await close();
}
console.log(JSON.stringify(report, null, 2));
