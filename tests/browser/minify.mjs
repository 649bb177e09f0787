// The minifier test's browser half: serves two builds of one wiki, one unminified and one
// minified, loads every given page from both in Chromium and prints, as one JSON object, each
// page whose text as a reader sees it (`document.body.innerText`, which applies the page's CSS
// white-space rules) or whose DOM differs. The DOM is compared as elements with their attributes
// and the text nodes that are not whitespace only; a text node's whitespace runs count as one
// space where its element's computed `white-space` collapses them, and byte for byte elsewhere
// (`pre`, `pre-wrap`, `break-spaces`, and inside `script` and `style`).
// Usage: node minify.mjs <unminified dir> <minified dir> <base path> <page path>...
import { openBrowser } from "./browser.mjs";
import { serveSite } from "./serve.mjs";

const [rawRoot, minRoot, base, ...pages] = process.argv.slice(2);
if (!rawRoot || !minRoot || !base || pages.length === 0) {
  console.error("usage: node minify.mjs <unminified dir> <minified dir> <base path> <page path>...");
  process.exit(2);
}

/** The page's visible text and its DOM as one line per node, in document order. */
function snapshot() {
  const lines = [];
  const normalised = (text, parent) => {
    const name = parent.localName;
    if (name === "script" || name === "style") return text;
    const space = getComputedStyle(parent).whiteSpace;
    if (space === "pre" || space === "pre-wrap" || space === "break-spaces") return text;
    if (space === "pre-line") return text.replace(/[ \t\r\f]*\n[ \t\r\f]*/g, "\n").replace(/[ \t\r\f]+/g, " ");
    return text.replace(/[ \t\n\r\f]+/g, " ");
  };
  const walk = (node, depth) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        if (!/^[ \t\n\r\f]*$/.test(child.data)) {
          lines.push(`${depth} #text ${JSON.stringify(normalised(child.data, node))}`);
        }
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const attributes = [...child.attributes].map((a) => ` ${a.name}=${JSON.stringify(a.value)}`).join("");
        lines.push(`${depth} <${child.localName}${attributes}>`);
        walk(child, depth + 1);
      } else if (child.nodeType === Node.COMMENT_NODE) {
        lines.push(`${depth} <!--${child.data}-->`);
      }
    }
  };
  walk(document.documentElement, 0);
  return { text: document.body.innerText, dom: lines };
}

/** Where two strings or two line lists first differ, with a little of each around it. */
function firstDifference(a, b) {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  if (at === a.length && at === b.length) return null;
  const around = (s) => (Array.isArray(s) ? s.slice(Math.max(0, at - 1), at + 2) : s.slice(Math.max(0, at - 60), at + 60));
  return { at, unminified: around(a), minified: around(b) };
}

const { page, close } = await openBrowser();
const report = { pages: 0, differences: [] };
const rawServer = await serveSite(rawRoot, base);
const minServer = await serveSite(minRoot, base);
try {
  for (const path of pages) {
    await page.goto(rawServer.origin + path, { waitUntil: "networkidle" });
    const raw = await page.evaluate(snapshot);
    await page.goto(minServer.origin + path, { waitUntil: "networkidle" });
    const min = await page.evaluate(snapshot);
    report.pages++;
    const text = firstDifference(raw.text, min.text);
    const dom = firstDifference(raw.dom, min.dom);
    if (text || dom) report.differences.push({ path, text, dom });
  }
} catch (error) {
  report.error = error.message.split("\n")[0];
} finally {
  await close();
  rawServer.close();
  minServer.close();
}
console.log(JSON.stringify(report));
