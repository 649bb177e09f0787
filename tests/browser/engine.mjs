// Runs the search engine (<bundle>/engine.js) in node, without a browser, for
// tests/testsuite/search.rs: `fetch` reads the bundle's files from disk. Reads a JSON list of
// requests on stdin and prints one JSON list of answers:
//   { "words": [text, ...] }  -> the engine's words of each text
//   { "stems": [word, ...] }  -> the engine's stem of each word, and the prefixes it reads for
//      that stem's family
//   { "search": term|null, "options": {...}, "shown": n } -> counts, facet counts, corrections,
//      countries, the first n results' data (with their claims), and the bundle files the query
//      fetched
//   { "filters": true } -> every facet value with its total count
//   { "preload": term } -> the bundle files fetching ahead for a half-typed `term` fetched
// Usage: node engine.mjs <bundle dir> < requests.json
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const BASE = "bundle/";
const fetched = [];
globalThis.fetch = async (url) => {
  const path = String(url).slice(BASE.length);
  fetched.push(path);
  try {
    const bytes = await readFile(join(dir, path));
    return {
      ok: true,
      status: 200,
      json: async () => JSON.parse(bytes.toString("utf8")),
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    };
  } catch {
    return { ok: false, status: 404 };
  }
};

const engine = await import(pathToFileURL(join(dir, "engine.js")).href);
await engine.init(BASE);
const answers = [];
for (const request of JSON.parse(readFileSync(0, "utf8"))) {
  if (request.words) {
    answers.push(request.words.map((text) => engine.words(text)));
  } else if (request.stems) {
    answers.push(request.stems.map((word) => [engine.stem(word), engine.stemPrefixes(engine.stem(word), "")]));
  } else if (request.filters) {
    answers.push(await engine.filters());
  } else if (request.preload) {
    const before = fetched.length;
    await engine.preload(request.preload);
    answers.push(fetched.slice(before));
  } else {
    const before = fetched.length;
    const found = await engine.search(request.search, request.options || {});
    const shown = found.results.slice(0, request.shown ?? 10);
    const data = await Promise.all(shown.map((r) => r.data()));
    answers.push({
      count: found.results.length,
      unfiltered: found.unfilteredResultCount,
      filters: found.filters,
      corrections: found.corrections,
      places: found.places,
      results: data.map((d, i) => ({
        id: shown[i].id,
        url: d.url,
        title: d.meta.title,
        excerpt: d.excerpt,
        claims: d.claims,
      })),
      fetched: fetched.slice(before),
    });
  }
}
console.log(JSON.stringify(answers));
