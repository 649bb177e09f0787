/* dossier's search engine: an ES module shipped in the search bundle beside the index it reads
   (src/search/index.rs describes the format). It fetches the entry file, then only what a query
   needs: the index chunks of its words, the filter and sort files once filters, a sort or a
   country are used, and the fragments of the results shown. No eval, no WebAssembly, no worker.

   init(bundleUrl); search(term, { filters: { key: { any: [...] } }, sort: { key: "asc"|"desc" } })
   -> { results: [{ id, score, data() }], filters: counts, unfilteredResultCount, corrections:
   [{ from, to }], places: [{ code, name }] }; data() -> { url, meta, filters, excerpt, claims:
   [{ id, status, url, excerpt }] }; filters() -> every facet value with its total count;
   preload(term); words(text); stem(word); stemPrefixes(stem, word).

   The index keeps every word as written (folded); for an English site the engine stems the
   query and the words of the chunks it reads, so "signing" finds "signed" and "sign" while an
   exact word still ranks first. */

const FORMAT_VERSION = 2;
/** Longer runs of letters are not index words (src/search/tokens.rs, MAX_WORD_CHARS). */
const MAX_WORD_CHARS = 64;
/** A prefix or a word's stem family is read only while its words span at most this many chunks. */
const MAX_PREFIX_CHUNKS = 4;
/** Words shorter than this are never read as prefixes ("de" is not "desktop"). */
const MIN_PREFIX = 3;
/** How much a match counts, by kind: the word itself, another word of its stem, a longer word. */
const EXACT = 1;
const STEMMED = 0.6;
const PREFIXED = 0.3;
/** What a query equal to a result's name or former name adds: more than any word score. */
const NAME_BONUS = 1e6;
/** Words an excerpt shows, and how many of them come before the first match. */
const EXCERPT_WORDS = 26;
const EXCERPT_LEAD = 6;
const CLAIM_WORDS = 18;
/** Claims listed under a result. */
const SUB_RESULTS = 3;
/** The shortest word a typo is looked for in, and the edits allowed by length. */
const MIN_TYPO = 4;
const maxEdits = (word) => (word.length <= 5 ? 1 : 2);

const SPLIT = /[^\p{Alphabetic}\p{N}]+/u;
const MARKS = /\p{M}/gu;
const RUN = /([\p{Alphabetic}\p{N}\p{M}]+)/u;

/** The index words of `text`, exactly as tokens.rs makes them. */
export function words(text) {
  const out = [];
  for (const word of text.toLowerCase().normalize("NFD").replace(MARKS, "").split(SPLIT)) {
    if (word && [...word].length <= MAX_WORD_CHARS) out.push(word);
  }
  return out;
}

/* ---------- The Snowball English stemmer (Porter2), for words of ASCII letters and digits ----------
   A port of english.sbl (snowballstem.org, BSD licence) as rust-stemmers 1.2 compiles it;
   tests/testsuite/search.rs compares the two over thousands of words. */

const EXCEPTIONS = {
  skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl", gently: "gentl",
  ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe",
  atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes",
};
const INVARIANT = new Set(["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"]);
const STEP2 = {
  tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize", ization: "ize",
  ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al", alli: "al", fulness: "ful",
  ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive", biliti: "ble", bli: "ble", ogi: "og",
  fulli: "ful", lessli: "less", li: "",
};
const STEP3 = { tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic", ful: "", ness: "", ative: "" };
const STEP4 = "al ance ence er ic able ible ant ement ment ent ism ate iti ous ive ize ion".split(" ");
const STEP1A = ["sses", "ied", "ies", "s", "ss", "us"];
const STEP1B = ["eed", "eedly", "ed", "edly", "ing", "ingly"];
const STEP2_KEYS = Object.keys(STEP2);
const STEP3_KEYS = Object.keys(STEP3);
const isV = (c) => c !== undefined && "aeiouy".includes(c);
const HAS_V = /[aeiouy]/;

/** The longest of `suffixes` that `w` ends with, or "". */
function longest(w, suffixes) {
  let found = "";
  for (const s of suffixes) if (s.length > found.length && w.endsWith(s)) found = s;
  return found;
}

/** Whether `w` up to `end` ends in a short syllable. */
function shortV(w, end) {
  if (end === 2) return isV(w[0]) && !isV(w[1]);
  return end >= 3 && !isV(w[end - 1]) && !"wxY".includes(w[end - 1]) && isV(w[end - 2]) && !isV(w[end - 3]);
}

/** Where R1 or R2 starts: after the first non-vowel that follows a vowel, from `from`. */
function region(w, from) {
  let i = from;
  while (i < w.length && !isV(w[i])) i++;
  while (i < w.length && isV(w[i])) i++;
  return i < w.length ? i + 1 : -1;
}

/** The stem of `word` (a word of `words()`); words with other characters are their own stem. */
export function stem(word) {
  if (word.length < 3 || !/^[a-z0-9]+$/.test(word)) return word;
  if (Object.hasOwn(EXCEPTIONS, word)) return EXCEPTIONS[word];
  let w = word.replace(/^y/, "Y").replace(/([aeiouy])y/g, "$1Y");
  const L = w.length;
  const special = /^(gener|commun|arsen)/.exec(w);
  let p1 = special ? special[0].length : region(w, 0);
  let p2 = L;
  if (p1 < 0) p1 = L;
  else if (region(w, p1) >= 0) p2 = region(w, p1);
  const cut = (suffix, by) => w.slice(0, w.length - suffix.length) + by;
  // Step 1a
  const s1a = longest(w, STEP1A);
  if (s1a === "sses") w = cut(s1a, "ss");
  else if (s1a === "ied" || s1a === "ies") w = cut(s1a, w.length > 4 ? "i" : "ie");
  else if (s1a === "s" && HAS_V.test(w.slice(0, -2))) w = w.slice(0, -1);
  if (INVARIANT.has(w)) return w;
  // Step 1b
  const s1b = longest(w, STEP1B);
  const at = w.length - s1b.length;
  if (s1b === "eed" || s1b === "eedly") {
    if (at >= p1) w = cut(s1b, "ee");
  } else if (s1b && HAS_V.test(w.slice(0, at))) {
    w = w.slice(0, at);
    if (/(at|bl|iz)$/.test(w)) w += "e";
    else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
    else if (w.length === p1 && shortV(w, w.length)) w += "e";
  }
  // Step 1c
  if (/[yY]$/.test(w) && w.length > 2 && !isV(w[w.length - 2])) w = `${w.slice(0, -1)}i`;
  // Step 2
  const s2 = longest(w, STEP2_KEYS);
  const before2 = w[w.length - s2.length - 1];
  if (s2 && w.length - s2.length >= p1) {
    if ((s2 !== "ogi" || before2 === "l") && (s2 !== "li" || "cdeghkmnrt".includes(before2 || "_"))) w = cut(s2, STEP2[s2]);
  }
  // Step 3
  const s3 = longest(w, STEP3_KEYS);
  if (s3 && w.length - s3.length >= (s3 === "ative" ? Math.max(p1, p2) : p1)) w = cut(s3, STEP3[s3]);
  // Step 4
  const s4 = longest(w, STEP4);
  if (s4 && w.length - s4.length >= p2 && (s4 !== "ion" || "st".includes(w[w.length - 4] || "_"))) w = cut(s4, "");
  // Step 5
  const last = w.length - 1;
  if (w[last] === "e" && (last >= p2 || (last >= p1 && !shortV(w, last)))) w = w.slice(0, -1);
  else if (w[last] === "l" && last >= p2 && w[last - 1] === "l") w = w.slice(0, -1);
  return w.replace(/Y/g, "y");
}

/** Prefixes every word with the stem `s` starts with (Porter2 changes a stem's last letter, and
    "-bility" becomes "-bl"). */
export function stemPrefixes(s, word) {
  const out = [/[ei]$/.test(s) ? s.slice(0, -1) : s];
  if (/ble?$/.test(s)) out.push(s.replace(/ble?$/, "bil"));
  for (const [form, stemmed] of Object.entries(EXCEPTIONS)) if (stemmed === s && form !== word) out.push(form);
  return out;
}

/* ---------- Reading the bundle ---------- */

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
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
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
  const reader = new Reader(new Uint8Array(buffer));
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

/** How many docs the word at `index` of a decoded chunk is in. */
const docCount = (chunk, index) => new Reader(chunk.bytes, chunk.at[index]).varint();

/** The doc ids and weights of the word at `index` of a decoded chunk. */
function postings(chunk, index) {
  const reader = new Reader(chunk.bytes, chunk.at[index]);
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
  const reader = new Reader(new Uint8Array(buffer));
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
/** Folded country name → jurisdiction code, for the codes this site has. */
let placeNames = new Map();
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

/** The names a country code is known by: the index's (ISO 3166) and the browser's. */
function countryNames(code, name) {
  const names = [name];
  try {
    names.push(new Intl.DisplayNames(["en"], { type: "region" }).of(code));
  } catch {
    // No Intl region names here: the index's name is enough.
  }
  return names.filter(Boolean).map((n) => words(n).join(" "));
}

/** Loads the entry file of the bundle at `bundleUrl` (ending in "/"). */
export function init(bundleUrl) {
  if (!ready) {
    bundle = bundleUrl;
    ready = fetchFile("entry.json", true).then((loaded) => {
      if (loaded.version !== FORMAT_VERSION) throw new Error(`search index: format ${loaded.version} is not ${FORMAT_VERSION}`);
      entry = loaded;
      placeNames = new Map();
      for (const [code, name] of Object.entries(entry.places || {})) {
        for (const folded of countryNames(code, name)) if (folded) placeNames.set(folded, code);
      }
    });
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

/* ---------- Queries ---------- */

/** A query: its terms (quoted words match only as written; the last unquoted word of three or
    more letters also as a prefix), the countries it names, and its words for a name match. */
function parseQuery(term) {
  const text = String(term || "");
  const codes = new Set((text.match(/\b[A-Z]{2}\b/g) || []).map((c) => c.toLowerCase()));
  const parts = [];
  for (const [, quoted, plain] of text.matchAll(/"([^"]*)"?|([^"]+)/g)) {
    for (const word of words(quoted ?? plain)) parts.push({ word, quoted: quoted !== undefined });
  }
  const all = parts.map((p) => p.word);
  const places = [];
  const terms = [];
  for (let i = 0; i < parts.length; i++) {
    const place = placeAt(all, i, codes.has(all[i]) || parts.length === 1);
    if (place && !parts[i].quoted) {
      places.push(place);
      i += place.words.length - 1;
      continue;
    }
    const { word, quoted } = parts[i];
    if (terms.some((t) => t.word === word)) continue;
    terms.push(termOf(word, quoted));
  }
  const last = terms[terms.length - 1];
  if (last && !last.quoted && parts[parts.length - 1].word === last.word && last.word.length >= MIN_PREFIX) last.prefix = true;
  return { terms, places, name: all.length ? `${all.join(" ")} ` : "", empty: !all.length };
}

/** A query term: its word, and for English its stem and the prefixes of that stem's words. */
function termOf(word, quoted) {
  const stemmed = !quoted && entry.stem && word.length >= MIN_PREFIX ? stem(word) : null;
  return { word, quoted, stem: stemmed, family: stemmed ? stemPrefixes(stemmed, word) : [], prefix: false };
}

/** The country named at word `i` (its longest name, or its code where `code` allows it). */
function placeAt(all, i, code) {
  for (let n = Math.min(5, all.length - i); n >= 1; n--) {
    const found = placeNames.get(all.slice(i, i + n).join(" "));
    if (found) return { code: found, name: entry.places[found], words: all.slice(i, i + n) };
  }
  const upper = all[i].toUpperCase();
  if (code && all[i].length === 2 && entry.places && entry.places[upper]) return { code: upper, name: entry.places[upper], words: [all[i]] };
  return null;
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

/** A prefix's chunks, or null where it spans too many to read. */
function prefixChunks(prefix) {
  const found = chunksFor(prefix, true);
  return found.length <= MAX_PREFIX_CHUNKS ? found : null;
}

/** What a term reads: its chunks, the prefixes of its stem family and whether it is a prefix. */
function termPlan(term) {
  const chunks = new Set(chunksFor(term.word, false));
  let prefix = term.prefix;
  if (prefix) {
    const wide = prefixChunks(term.word);
    if (wide) wide.forEach((c) => chunks.add(c));
    else prefix = false;
  }
  // A family prefix that spans too many chunks is not read: its word and stem still are.
  const family = [term.stem || term.word];
  for (const p of term.family) {
    const wide = p.length >= MIN_PREFIX ? prefixChunks(p) : null;
    if (wide) {
      wide.forEach((c) => chunks.add(c));
      family.push(p);
    }
  }
  if (term.stem) chunksFor(term.stem, false).forEach((c) => chunks.add(c));
  return { chunks: [...chunks].sort((a, b) => a - b), prefix, family };
}

const chunk = (index) => decodedFile(`index/${entry.chunks[index][1]}.bin`, decodeChunk);

/** How `word` (an index or text word) matches `term`: EXACT, STEMMED, PREFIXED or 0. Only a
    word that starts with a prefix of the stem's family is stemmed. */
function matchKind(term, word, prefix = term.prefix) {
  if (word === term.word) return EXACT;
  const family = term.stem && word.length >= MIN_PREFIX && (word.startsWith(term.stem) || term.family.some((p) => word.startsWith(p)));
  if (family && stem(word) === term.stem) return STEMMED;
  if (prefix && word.startsWith(term.word)) return PREFIXED;
  return 0;
}

/** Each doc matching `term` with its score: idf (of every doc the term matches) times the best
    of weight x kind among the words it matches. */
async function matches(term) {
  const plan = termPlan(term);
  const best = new Map();
  const decodedChunks = await Promise.all(plan.chunks.map(chunk));
  for (const decodedChunk of decodedChunks) {
    decodedChunk.words.forEach((word, index) => {
      if (word.includes(" ")) return;
      const near = word.startsWith(term.word) || plan.family.some((p) => word.startsWith(p));
      const kind = near ? matchKind({ ...term, family: plan.family }, word, plan.prefix) : 0;
      if (!kind) return;
      const { ids, weights } = postings(decodedChunk, index);
      for (let i = 0; i < ids.length; i++) {
        const score = weights[i] * kind;
        if (!(best.get(ids[i]) >= score)) best.set(ids[i], score);
      }
    });
  }
  const idf = Math.log(1 + (entry.docs - best.size + 0.5) / (best.size + 0.5));
  for (const [id, score] of best) best.set(id, idf * score);
  return { scores: best, prefix: plan.prefix, chunks: decodedChunks };
}

/** Edit distance with adjacent transpositions (optimal string alignment), or `limit + 1`. */
function distance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2 = null;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, previous2[j - 2] + 1);
      row.push(d);
      smallest = Math.min(smallest, d);
    }
    if (smallest > limit) return limit + 1;
    previous2 = previous;
    previous = row;
  }
  return previous[b.length];
}

/** The index word nearest to `word` (fewest edits, then most docs), from the chunks of its
    first two letters (or the chunks around it where those are many), or null. */
async function nearestWord(word, known) {
  const around = chunksFor(word, false)[0] ?? 0;
  const list = prefixChunks(word.slice(0, 2)) || [around - 1, around, around + 1].filter((i) => i >= 0 && i < entry.chunks.length);
  const limit = maxEdits(word);
  let found = null;
  for (const decodedChunk of [...known, ...(await Promise.all(list.map(chunk)))]) {
    decodedChunk.words.forEach((candidate, index) => {
      if (candidate.includes(" ") || candidate === word) return;
      const d = distance(word, candidate, limit);
      if (d > limit) return;
      const docs = docCount(decodedChunk, index);
      if (!found || d < found.d || (d === found.d && (docs > found.docs || (docs === found.docs && compare(candidate, found.word) < 0)))) {
        found = { word: candidate, d, docs };
      }
    });
  }
  return found && found.word;
}

/** The docs whose name or former name is exactly the query's words. */
async function nameMatches(name) {
  if (!name || !entry.chunks.length) return new Set();
  const decodedChunk = await chunk(chunksFor(name, false)[0]);
  const index = decodedChunk.words.indexOf(name);
  return new Set(index < 0 ? [] : postings(decodedChunk, index).ids);
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

/** The docs that have any of `values` of facet `key`. */
async function docsWith(key, values) {
  const sets = await loadFacet(key);
  const these = new Set();
  if (sets) {
    entry.filters[key].values.forEach(([value], i) => {
      if (values.includes(value)) for (const id of sets[i]) these.add(id);
    });
  }
  return these;
}

/** The doc ids the filters allow (values of one key: any; keys: all), or null for all docs. */
async function allowedDocs(filters) {
  let allowed = null;
  for (const [key, wanted] of Object.entries(filters || {})) {
    const values = Array.isArray(wanted) ? wanted : typeof wanted === "string" ? [wanted] : wanted.any || [];
    if (!values.length) continue;
    const these = await docsWith(key, values);
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

/** Whether a run of text holds a word that matches one of `terms`. */
const isMatch = (run, terms) => words(run).some((w) => terms.some((t) => matchKind(t, w)));

/** About `size` words of `text` from just before the first match, HTML-escaped, with <mark>
    around the words that match. */
function excerpt(text, terms, size = EXCERPT_WORDS) {
  const parts = text.split(RUN);
  const runs = [];
  for (let i = 1; i < parts.length; i += 2) runs.push(i);
  if (!runs.length) return "";
  const first = runs.findIndex((i) => isMatch(parts[i], terms));
  const startRun = Math.max(0, first - EXCERPT_LEAD);
  const endRun = Math.min(runs.length, startRun + size);
  let html = startRun > 0 ? "… " : "";
  // The text before the first word and after the last one belongs to the excerpt at either end.
  const from = startRun > 0 ? runs[startRun] : 0;
  const to = endRun < runs.length ? runs[endRun - 1] : parts.length - 1;
  for (let i = from; i <= to; i++) {
    const escaped = escapeHtml(parts[i]);
    html += i % 2 === 1 && isMatch(parts[i], terms) ? `<mark>${escaped}</mark>` : escaped;
  }
  return endRun < runs.length ? `${html} …` : html;
}

/** The claims of a fragment that match most of the query's words, best first. */
function subResults(fragment, terms) {
  const found = [];
  for (const [id, status, start, end] of fragment.claims || []) {
    const text = (fragment.text || "").slice(start, end);
    const textWords = words(text);
    const hits = terms.filter((t) => textWords.some((w) => matchKind(t, w))).length;
    if (hits) found.push({ hits, start, id, status, url: `${fragment.url}#claim-${id}`, excerpt: excerpt(text, terms, CLAIM_WORDS) });
  }
  found.sort((a, b) => b.hits - a.hits || a.start - b.start);
  return found.slice(0, SUB_RESULTS).map(({ id, status, url, excerpt: html }) => ({ id, status, url, excerpt: html }));
}

/** What a result shows: its excerpt cut around the first matched words, and its best claims. */
function fragmentData(id, terms) {
  const group = Math.floor(id / entry.fragments.group);
  return fetchFile(`fragment/${id}_${entry.fragments.hashes[group]}.json`, true).then((fragment) => ({
    url: fragment.url,
    meta: fragment.meta,
    filters: fragment.filters,
    excerpt: excerpt(fragment.text || "", terms),
    claims: terms.length ? subResults(fragment, terms) : [],
  }));
}

/** Scores every doc that matches all `terms` (AND), correcting a word that matches nothing to
    the nearest index word. */
async function scoreTerms(terms, corrections) {
  const found = await Promise.all(terms.map(matches));
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i];
    if (found[i].scores.size || term.quoted || term.word.length < MIN_TYPO || /\d/.test(term.word)) continue;
    const nearest = await nearestWord(term.word, found[i].chunks);
    if (!nearest) continue;
    corrections.push({ from: term.word, to: nearest });
    terms[i] = termOf(nearest, false);
    found[i] = await matches(terms[i]);
  }
  found.forEach((f, i) => {
    terms[i] = { ...terms[i], prefix: f.prefix };
  });
  const order = [...found].sort((a, b) => a.scores.size - b.scores.size);
  let scored = order.length ? order[0].scores : new Map();
  for (const other of order.slice(1)) {
    const narrowed = new Map();
    for (const [id, score] of scored) if (other.scores.has(id)) narrowed.set(id, score + other.scores.get(id));
    scored = narrowed;
  }
  return scored;
}

/** Runs a query: AND across its words (each also by its stem, the last also as a prefix), a
    country name or code as its jurisdiction; optionally filtered and sorted (a sort lists only
    the docs that have its key). A null or empty term lists every doc the filters allow. */
export async function search(term, options = {}) {
  await init(bundle);
  const query = parseQuery(term);
  const { terms, places } = query;
  const corrections = [];
  let scored;
  if (terms.length) {
    scored = await scoreTerms(terms, corrections);
    for (const id of await nameMatches(query.name)) scored.set(id, (scored.get(id) || 0) + NAME_BONUS);
  } else if (query.empty && String(term || "").trim()) {
    // Text without a single word (punctuation, symbols) matches nothing.
    scored = new Map();
  } else {
    scored = new Map();
    for (let id = 0; id < entry.docs; id++) scored.set(id, 0);
  }
  if (places.length) {
    const here = await docsWith("jurisdiction", places.map((p) => p.code));
    scored = new Map([...scored].filter(([id]) => here.has(id)));
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
  // The words that named a country are marked in excerpts too.
  const shown = [...terms, ...places.flatMap((p) => p.words.map((word) => termOf(word, true)))];
  const results = hits.map(([id, score]) => {
    let loading = null;
    return { id, score, data: () => (loading = loading || fragmentData(id, shown)) };
  });
  return {
    results,
    filters: countsOf(hits.map(([id]) => id)),
    unfilteredResultCount,
    corrections,
    places: places.map(({ code, name }) => ({ code, name })),
  };
}

/** Every facet value with its total count; fetches the facets' doc ids for later counts. */
export async function filters() {
  await init(bundle);
  await Promise.all(Object.keys(entry.filters).map(loadFacet));
  const totals = {};
  for (const [key, facet] of Object.entries(entry.filters)) totals[key] = Object.fromEntries(facet.values);
  return totals;
}

/** Fetches ahead the index chunks a query for `term` will need, for the words whose reads fit in
    one chunk: every word a half-typed word can become lies in that chunk, so it is never wasted,
    where a short prefix spanning several chunks would fetch chunks its finished word never reads. */
export async function preload(term) {
  await init(bundle);
  const plans = parseQuery(term).terms.map(termPlan);
  await Promise.all(plans.filter((plan) => plan.chunks.length === 1).map((plan) => chunk(plan.chunks[0])));
}
