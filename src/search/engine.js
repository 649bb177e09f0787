/* dossier's search engine: an ES module shipped in the search bundle beside the index it reads
   (src/search/index.rs describes the format). It fetches the entry file, then only what a query
   needs: the index chunks of its words, the filter and sort files once filters or a sort are
   used, and the fragments of the results shown. No eval, no WebAssembly, no worker.

   init(bundleUrl); search(term, { filters: { key: { any: [...] } }, sort: { key: "asc"|"desc" } })
   -> { results: [{ id, score, data() }], filters: counts, unfilteredResultCount };
   filters() -> every facet value with its total count; preload(term); words(text, stem). */

const FORMAT_VERSION = 1;
/** Longer runs of letters are not index words (src/search/tokens.rs, MAX_WORD_CHARS). */
const MAX_WORD_CHARS = 64;
/** The last word also matches as a prefix, unless its words span more chunks than this. */
const MAX_PREFIX_CHUNKS = 4;
/** Words an excerpt shows, and how many of them come before the first match. */
const EXCERPT_WORDS = 26;
const EXCERPT_LEAD = 6;

const SPLIT = /[^\p{Alphabetic}\p{N}]+/u;
const MARKS = /\p{M}/gu;
const RUN = /([\p{Alphabetic}\p{N}\p{M}]+)/u;

/** Harman's S-stemmer, as tokens.rs stem_word. */
function stemWord(word) {
  if (!word.endsWith("s") || [...word].length < 4) return word;
  if (word.endsWith("ies") && !word.endsWith("eies") && !word.endsWith("aies")) return `${word.slice(0, -3)}y`;
  if (["aes", "ees", "oes", "us", "ss"].some((end) => word.endsWith(end))) return word;
  return word.slice(0, -1);
}

/** The index words of `text`, exactly as tokens.rs makes them. */
export function words(text, stem) {
  const out = [];
  for (const word of text.toLowerCase().normalize("NFD").replace(MARKS, "").split(SPLIT)) {
    if (word && [...word].length <= MAX_WORD_CHARS) out.push(stem ? stemWord(word) : word);
  }
  return out;
}

/** Orders strings by code point, as Rust orders them (JS `<` compares UTF-16 units). */
function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const escapes = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => escapes[c]);

class Reader {
  constructor(buffer) {
    this.bytes = new Uint8Array(buffer);
    this.at = 0;
  }
  varint() {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.at++];
      if (byte === undefined) throw new Error("search index: truncated file");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }
}

const utf8 = new TextDecoder();

/** A decoded index chunk: its words in order, and where each word's postings start. */
function decodeChunk(buffer) {
  const reader = new Reader(buffer);
  const count = reader.varint();
  const list = new Array(count);
  const at = new Uint32Array(count);
  let previous = new Uint8Array(0);
  for (let i = 0; i < count; i++) {
    const shared = reader.varint();
    const length = reader.varint();
    const word = new Uint8Array(shared + length);
    word.set(previous.subarray(0, shared));
    word.set(reader.bytes.subarray(reader.at, reader.at + length), shared);
    reader.at += length;
    previous = word;
    list[i] = utf8.decode(word);
    at[i] = reader.at;
    const docs = reader.varint();
    const idBytes = reader.varint();
    reader.at += idBytes + docs;
  }
  return { bytes: reader.bytes, words: list, at };
}

/** The doc ids and weights of the word at `index` of a decoded chunk. */
function postings(chunk, index) {
  const reader = new Reader(chunk.bytes.buffer);
  reader.bytes = chunk.bytes;
  reader.at = chunk.at[index];
  const count = reader.varint();
  reader.varint();
  const ids = new Uint32Array(count);
  let id = 0;
  for (let i = 0; i < count; i++) {
    id += reader.varint();
    ids[i] = id;
  }
  return { ids, weights: chunk.bytes.subarray(reader.at, reader.at + count) };
}

/** A filter file: per value (in entry order) its doc ids. */
function decodeSets(buffer, count, docs) {
  const reader = new Reader(buffer);
  const sets = [];
  for (let v = 0; v < count; v++) {
    const kind = reader.bytes[reader.at++];
    const ids = [];
    if (kind === 0) {
      const n = reader.varint();
      let id = 0;
      for (let i = 0; i < n; i++) ids.push((id += reader.varint()));
    } else {
      const end = reader.at + Math.ceil(docs / 8);
      for (let byte = reader.at; byte < end; byte++) {
        const bits = reader.bytes[byte];
        for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) ids.push((byte - reader.at) * 8 + bit);
      }
      reader.at = end;
    }
    sets.push(Uint32Array.from(ids));
  }
  return sets;
}

/** A sort file: each doc's rank, or -1 for a doc without the key. */
function decodeRanks(buffer, docs) {
  const view = new DataView(buffer);
  const width = view.getUint8(0);
  const missing = width === 2 ? 0xffff : 0xffffffff;
  const ranks = new Float64Array(docs);
  for (let i = 0; i < docs; i++) {
    const rank = width === 2 ? view.getUint16(1 + 2 * i, true) : view.getUint32(1 + 4 * i, true);
    ranks[i] = rank === missing ? -1 : rank;
  }
  return ranks;
}

let bundle = "";
let ready = null;
let entry = null;
const files = new Map();
const decoded = new Map();

/** A bundle file, fetched once (a failed fetch is tried again next time). */
function fetchFile(path, json) {
  if (!files.has(path)) {
    const loading = fetch(bundle + path).then((response) => {
      if (!response.ok) throw new Error(`search index: ${path} answered ${response.status}`);
      return json ? response.json() : response.arrayBuffer();
    });
    loading.catch(() => files.delete(path));
    files.set(path, loading);
  }
  return files.get(path);
}

/** A bundle file decoded once by `decode`. */
function decodedFile(path, decode) {
  if (!decoded.has(path)) {
    const loading = fetchFile(path, false).then(decode);
    loading.catch(() => decoded.delete(path));
    decoded.set(path, loading);
  }
  return decoded.get(path);
}

/** Loads the entry file of the bundle at `bundleUrl` (ending in "/"). */
export function init(bundleUrl) {
  if (!ready) {
    bundle = bundleUrl;
    ready = fetchFile("entry.json", true).then((loaded) => {
      if (loaded.version !== FORMAT_VERSION) throw new Error(`search index: format ${loaded.version} is not ${FORMAT_VERSION}`);
      entry = loaded;
    });
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

/** The query's words: each with whether it also matches as a prefix (the last one). */
function queryTerms(term) {
  const list = [...new Set(words(term, entry.stem))];
  return list.map((word, i) => ({ word, prefix: i === list.length - 1 }));
}

/** The chunk indexes that may hold `word` (and, for a prefix, the words that start with it). */
function chunksFor(word, prefix) {
  const table = entry.chunks;
  let lo = 0;
  let hi = table.length - 1;
  let start = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compare(table[mid][0], word) <= 0) {
      start = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const found = table.length ? [start] : [];
  if (prefix) {
    for (let i = start + 1; i < table.length && table[i][0].startsWith(word); i++) found.push(i);
  }
  return found;
}

/** Whether a query term's last word matches as a prefix: not when that spans many chunks. */
function termChunks(term) {
  const wide = chunksFor(term.word, term.prefix);
  if (wide.length <= MAX_PREFIX_CHUNKS) return { chunks: wide, prefix: term.prefix };
  return { chunks: chunksFor(term.word, false), prefix: false };
}

const chunk = (index) => decodedFile(`index/${entry.chunks[index][1]}.bin`, decodeChunk);

/** Each doc matching `term` with its score: the best idf x weight among the words it matches. */
async function matches(term) {
  const { chunks, prefix } = termChunks(term);
  const scores = new Map();
  for (const decodedChunk of await Promise.all(chunks.map(chunk))) {
    decodedChunk.words.forEach((word, index) => {
      if (word !== term.word && !(prefix && word.startsWith(term.word))) return;
      const { ids, weights } = postings(decodedChunk, index);
      const idf = Math.log(1 + (entry.docs - ids.length + 0.5) / (ids.length + 0.5));
      for (let i = 0; i < ids.length; i++) {
        const score = idf * weights[i];
        if (!(scores.get(ids[i]) >= score)) scores.set(ids[i], score);
      }
    });
  }
  return { scores, prefix };
}

/** Facet key → per value (entry order) doc ids; fetched once per facet. */
function facetSets(key) {
  const facet = entry.filters[key];
  return decodedFile(`filter/${facet.file}.bin`, (buffer) => decodeSets(buffer, facet.values.length, entry.docs));
}

const loadedFacets = new Map();

async function loadFacet(key) {
  if (!entry.filters[key]) return null;
  if (!loadedFacets.has(key)) loadedFacets.set(key, await facetSets(key));
  return loadedFacets.get(key);
}

/** The doc ids the filters allow (values of one key: any; keys: all), or null for all docs. */
async function allowedDocs(filters) {
  let allowed = null;
  for (const [key, wanted] of Object.entries(filters || {})) {
    const values = Array.isArray(wanted) ? wanted : typeof wanted === "string" ? [wanted] : wanted.any || [];
    if (!values.length) continue;
    const sets = await loadFacet(key);
    const these = new Set();
    if (sets) {
      entry.filters[key].values.forEach(([value], i) => {
        if (values.includes(value)) for (const id of sets[i]) these.add(id);
      });
    }
    allowed = allowed ? new Set([...allowed].filter((id) => these.has(id))) : these;
  }
  return allowed;
}

/** Per loaded facet, how many of `ids` have each value. */
function countsOf(ids) {
  const inResults = new Uint8Array(entry.docs);
  for (const id of ids) inResults[id] = 1;
  const counts = {};
  for (const [key, sets] of loadedFacets) {
    counts[key] = {};
    entry.filters[key].values.forEach(([value], i) => {
      let n = 0;
      for (const id of sets[i]) n += inResults[id];
      counts[key][value] = n;
    });
  }
  return counts;
}

/** What a result shows, its excerpt cut around the first matched words. */
function fragmentData(id, terms) {
  const group = Math.floor(id / entry.fragments.group);
  return fetchFile(`fragment/${id}_${entry.fragments.hashes[group]}.json`, true).then((fragment) => ({
    url: fragment.url,
    meta: fragment.meta,
    filters: fragment.filters,
    excerpt: excerpt(fragment.text || "", terms),
  }));
}

/** About EXCERPT_WORDS words of `text` from just before the first match, HTML-escaped, with
    <mark> around the words that match. */
function excerpt(text, terms) {
  const parts = text.split(RUN);
  const isMatch = (run) =>
    words(run, entry.stem).some((w) => terms.some((t) => w === t.word || (t.prefix && w.startsWith(t.word))));
  const runs = [];
  for (let i = 1; i < parts.length; i += 2) runs.push(i);
  const first = runs.findIndex((i) => isMatch(parts[i]));
  const startRun = Math.max(0, first - EXCERPT_LEAD);
  const endRun = Math.min(runs.length, startRun + EXCERPT_WORDS);
  if (!runs.length) return "";
  let html = startRun > 0 ? "… " : "";
  // The text before the first word and after the last one belongs to the excerpt at either end.
  const from = startRun > 0 ? runs[startRun] : 0;
  const to = endRun < runs.length ? runs[endRun - 1] : parts.length - 1;
  for (let i = from; i <= to; i++) {
    const escaped = escapeHtml(parts[i]);
    html += i % 2 === 1 && isMatch(parts[i]) ? `<mark>${escaped}</mark>` : escaped;
  }
  return endRun < runs.length ? `${html} …` : html;
}

/** Runs a query: AND across its words, the last one also a prefix; optionally filtered and
    sorted (a sort lists only the docs that have its key). A null or empty term lists every doc
    the filters allow. */
export async function search(term, options = {}) {
  await init(bundle);
  const terms = term ? queryTerms(term) : [];
  let scored;
  const matchTerms = [];
  if (term && String(term).trim()) {
    const found = await Promise.all(terms.map(matches));
    found.forEach((f, i) => matchTerms.push({ word: terms[i].word, prefix: f.prefix }));
    found.sort((a, b) => a.scores.size - b.scores.size);
    scored = terms.length ? found[0].scores : new Map();
    for (const other of found.slice(1)) {
      const narrowed = new Map();
      for (const [id, score] of scored) if (other.scores.has(id)) narrowed.set(id, score + other.scores.get(id));
      scored = narrowed;
    }
  } else {
    scored = new Map();
    for (let id = 0; id < entry.docs; id++) scored.set(id, 0);
  }
  const unfilteredResultCount = scored.size;
  const allowed = await allowedDocs(options.filters);
  let hits = [...scored].filter(([id]) => !allowed || allowed.has(id));
  const [sortKey, direction] = Object.entries(options.sort || {})[0] || [];
  if (sortKey && entry.sorts[sortKey]) {
    const ranks = await decodedFile(`sort/${entry.sorts[sortKey]}.bin`, (buffer) => decodeRanks(buffer, entry.docs));
    const sign = direction === "desc" ? -1 : 1;
    hits = hits.filter(([id]) => ranks[id] >= 0).sort((a, b) => sign * (ranks[a[0]] - ranks[b[0]]));
  } else {
    hits.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
  const results = hits.map(([id, score]) => {
    let loading = null;
    return { id, score, data: () => (loading = loading || fragmentData(id, matchTerms)) };
  });
  return { results, filters: countsOf(hits.map(([id]) => id)), unfilteredResultCount };
}

/** Every facet value with its total count; fetches the facets' doc ids for later counts. */
export async function filters() {
  await init(bundle);
  await Promise.all(Object.keys(entry.filters).map(loadFacet));
  const totals = {};
  for (const [key, facet] of Object.entries(entry.filters)) totals[key] = Object.fromEntries(facet.values);
  return totals;
}

/** Fetches the index chunks a query for `term` will need. */
export async function preload(term) {
  await init(bundle);
  await Promise.all(queryTerms(term || "").flatMap((t) => termChunks(t).chunks.map(chunk)));
}
