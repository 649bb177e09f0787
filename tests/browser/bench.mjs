// The search benchmark's browser half (scripts/bench-search.sh): the bytes a first-time reader
// downloads for one query, split by kind, counted by the server as sent on the wire (text gzip'd,
// as any static host does; the index's binary files as they are).
// Usage: node bench.mjs <site dir> <base path> <query>
import { openBrowser } from "./browser.mjs";
import { serveSite } from "./serve.mjs";

const [root, base = "/", query = "dkim"] = process.argv.slice(2);

function kindOf(path) {
  const file = path.slice(path.lastIndexOf("/") + 1);
  if (file === "entry.json" && path.includes("/search-index/")) return "entry";
  if (file === "engine.js" && path.includes("/search-index/")) return "engine js";
  for (const dir of ["index", "filter", "sort", "fragment"]) {
    if (path.includes(`/search-index/${dir}/`)) return `${dir} files`;
  }
  if (/\/static\/search(-ui)?\.[0-9a-f]+\.js$/.test(path)) return "our ui js";
  return "page";
}

function tally(requests) {
  const kinds = {};
  for (const { path, bytes } of requests) {
    const kind = kindOf(path);
    kinds[kind] = kinds[kind] || { requests: 0, bytes: 0 };
    kinds[kind].requests += 1;
    kinds[kind].bytes += bytes;
  }
  const search = Object.entries(kinds).filter(([k]) => k !== "page");
  return { kinds, searchBytes: search.reduce((sum, [, v]) => sum + v.bytes, 0) };
}

/** From a page's header box: everything fetched after the reader focuses it and types. */
async function quick(page, server) {
  await page.goto(`${server.origin}${base}`);
  await page.waitForLoadState("networkidle");
  const mark = server.requests.length;
  await page.focus("#site-search");
  await page.keyboard.type(query, { delay: 80 });
  await page.waitForSelector(".search-quick:not([hidden]) .search-quick-all", { timeout: 60000 });
  await page.waitForLoadState("networkidle");
  return tally(server.requests.slice(mark));
}

/** The /search/ page opened with the query in its URL: the engine, the facets and the results. */
async function full(page, server) {
  const mark = server.requests.length;
  await page.goto(`${server.origin}${base}search/?q=${encodeURIComponent(query)}`);
  await page.waitForFunction(() => /result/.test(document.getElementById("search-status").textContent), null, {
    timeout: 60000,
  });
  await page.waitForLoadState("networkidle");
  return tally(server.requests.slice(mark));
}

/** Then the filters opened on that page: the facets' doc-id files and the recount. */
async function filtersOpened(page, server) {
  const mark = server.requests.length;
  await page.click("#search-facets-toggle");
  await page.waitForSelector(".facet input", { timeout: 60000 });
  await page.waitForLoadState("networkidle");
  return tally(server.requests.slice(mark));
}

const server = await serveSite(root, base);
const { page, problems, close } = await openBrowser();
const report = { query };
try {
  report.quickFromHeader = await quick(page, server);
  report.searchPage = await full(page, server);
  report.filtersOpened = await filtersOpened(page, server);
  report.problems = problems;
} finally {
  await close();
  server.close();
}
console.log(JSON.stringify(report, null, 2));
