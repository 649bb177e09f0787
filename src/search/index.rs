//! The index format: turns search records into the bundle's files (paths relative to the
//! bundle directory). `engine.js` beside this file reads them, and ships in the bundle, since
//! the two change together ([`FORMAT_VERSION`]).
//!
//! - `entry.json` (small, revalidated): the format version, language, whether the engine stems
//!   (English), doc count, the chunk table (first word and file of each index chunk), the facet
//!   table (every value with its count, and its doc-id file), the English names of the
//!   jurisdictions used, the sort files and the fragment groups.
//! - `index/<hash>.bin`: postings of the words as written (not stemmed) and of one name key per
//!   name and former name (its words joined by spaces, plus a trailing space, so it sorts right
//!   after its first word), in byte order, split into chunks of about
//!   [`CHUNK_BYTES`]. A chunk is `varint(words)`, then per word: `varint(shared prefix bytes with
//!   the previous word)`, `varint(suffix bytes)`, the suffix, `varint(docs)`, `varint(bytes of
//!   the doc ids)`, the doc ids as delta varints, one weight byte per doc.
//! - `filter/<hash>.bin`: one per facet, per value in entry order a doc-id set: `0`, `varint(n)`,
//!   delta varints; or `1` and a bitmap of `ceil(docs / 8)` bytes, whichever is smaller.
//! - `sort/<hash>.bin`: one per sort key: a width byte (2 or 4), then each doc's rank,
//!   little-endian; all ones for a doc without that key.
//! - `fragment/<doc>_<group hash>.json`: what a result shows (url, meta, filters, the text for
//!   excerpts, and each claim's id, status and place in that text in UTF-16 units). Docs are hashed in groups of [`FRAGMENT_GROUP`] so the entry file stays small.
//!
//! Weights are BM25 term weights computed here from field-weighted counts and the doc length,
//! quantised to a byte; the engine multiplies them by each word's idf. Every name but the entry
//! and the engine carries a content hash, so those files can be cached for good.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt as _};

use rayon::prelude::*;
use serde::Serialize;

use super::{Record, Text, Words, tokens};

/// The format the engine reads; it refuses any other.
pub const FORMAT_VERSION: u32 = 2;
/// How much one occurrence counts in the name, summary, claims and body.
const FIELD_WEIGHTS: [u32; 4] = [20, 5, 2, 1];
/// BM25's term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// An index chunk closes at the first word boundary past this size.
pub const CHUNK_BYTES: usize = 24 * 1024;
/// Docs whose fragments share one hash in the entry file.
pub const FRAGMENT_GROUP: usize = 64;
/// The most text a fragment carries for excerpts, besides its claims.
const EXCERPT_CHARS: usize = 4000;
/// The most text of one claim a fragment carries.
const CLAIM_CHARS: usize = 600;
/// The search engine, shipped in the bundle.
const ENGINE: &str = include_str!("engine.js");

/// The bundle's files for `records` in `language`, paths relative to the bundle directory.
/// Each record's text is dropped once it is read, so the index never holds the whole site's
/// text twice (`serve` keeps the site beside it).
pub fn build(records: Vec<Record<'_>>, language: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    build_in_parts(records, language, PART)
}

/// [`build`], reading the records `part` at a time into partial word tables.
fn build_in_parts(mut records: Vec<Record<'_>>, language: &str, part: usize) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let stem = tokens::stems(language);
    let mut files = Vec::new();
    let (table, fragments) = tracing::debug_span!("search words").in_scope(|| read_records(&mut records, part))?;
    let chunks = tracing::debug_span!("search postings").in_scope(|| encode_chunks(&table.postings()));
    drop(table);
    let _span = tracing::debug_span!("search facets and fragments").entered();
    let filters = filter_files(&records, &mut files);
    let places = filters.get("jurisdiction").map_or_else(BTreeMap::new, |facet| {
        facet.values.iter().map(|&(code, _)| (code, super::country_name(code))).filter(|(_, n)| !n.is_empty()).collect()
    });
    let sorts = sort_files(&records, &mut files);
    let fragments = fragment_files(fragments, &mut files);
    let mut chunk_table = Vec::with_capacity(chunks.len());
    for (first, bytes) in chunks {
        let hash = hash_name(&bytes);
        files.push((format!("index/{hash}.bin"), bytes));
        chunk_table.push((first, hash));
    }
    let entry = Entry {
        version: FORMAT_VERSION,
        language,
        stem,
        docs: records.len(),
        chunks: chunk_table,
        filters,
        places,
        sorts,
        fragments: Fragments { group: FRAGMENT_GROUP, hashes: fragments },
    };
    files.push(("entry.json".to_owned(), serde_json::to_vec(&entry)?));
    files.push(("engine.js".to_owned(), ENGINE.as_bytes().to_vec()));
    Ok(files)
}

/// Records read into one partial word table: the partial tables are made in parallel and then
/// merged, which looks up each distinct word of a part once rather than every word of every
/// record (with the word cache warm, reading is cheap and the word table was the long pole).
const PART: usize = 512;

/// A fragment file's bytes and content hash.
type FragmentBytes = (Vec<u8>, u64);

/// Reads every record's words into a word table and makes its fragment, then drops its text.
fn read_records(records: &mut [Record<'_>], part: usize) -> anyhow::Result<(WordTable, Vec<FragmentBytes>)> {
    let parts = records
        .par_chunks_mut(part.max(1))
        .map(|part| {
            let mut table = WordTable::default();
            let mut fragments = Vec::with_capacity(part.len());
            for record in part {
                let (words, fragment) = read_record(record)?;
                table.add(&words);
                fragments.push(fragment);
            }
            Ok((table, fragments))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut table = WordTable::default();
    let mut fragments = Vec::with_capacity(records.len());
    for (part, made) in parts {
        table.append(part);
        fragments.extend(made);
    }
    Ok((table, fragments))
}

fn read_record<'a>(record: &mut Record<'a>) -> anyhow::Result<(DocWords<'a>, FragmentBytes)> {
    let read = match std::mem::replace(&mut record.text, Words::Text(Text::default())) {
        Words::Text(text) => ReadText::of(&text),
        Words::Read(read) => read,
    };
    let mut units = Utf16Offsets { text: &read.excerpt, byte: 0, units: 0 };
    let claims =
        read.claims.iter().map(|c| (c.id.as_str(), c.status.as_str(), units.at(c.start), units.at(c.end))).collect();
    let fragment =
        Fragment { url: &record.url, meta: &record.meta, filters: &record.filters, text: &read.excerpt, claims };
    let bytes = serde_json::to_vec(&fragment)?;
    let hash = crate::load::content_hash(&bytes);
    Ok((read.words, (bytes, hash)))
}

/// The engine slices the text in UTF-16 units: this turns byte offsets into them, counting on
/// from the last offset asked for (claims come in order), not from the start each time.
struct Utf16Offsets<'a> {
    text: &'a str,
    byte: usize,
    units: usize,
}

impl Utf16Offsets<'_> {
    /// The UTF-16 offset of `byte`, a character boundary of the text.
    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            (self.byte, self.units) = (0, 0);
        }
        self.units += self.text.get(self.byte..byte).map_or(0, |part| part.encode_utf16().count());
        self.byte = byte;
        self.units
    }
}

/// What the index reads of a record's text: its distinct words with their field-weighted
/// counts, its length in words, the text excerpts are cut from and where each claim is in it.
/// Small next to the text, and what the word cache keeps.
/// Decoded from the word cache, it borrows the cache's bytes: at 10,000 dossiers a warm build
/// would otherwise copy 100 MB of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadText<'a> {
    words: DocWords<'a>,
    excerpt: Cow<'a, str>,
    claims: Vec<ClaimSpan>,
}

/// A claim's id, status and byte range in the excerpt text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClaimSpan {
    id: String,
    status: String,
    start: usize,
    end: usize,
}

impl<'a> ReadText<'a> {
    pub fn of(text: &Text) -> ReadText<'static> {
        let (excerpt, claims) = excerpt_text(text);
        ReadText { words: doc_words(text), excerpt: Cow::Owned(excerpt), claims }
    }

    /// The bytes [`ReadText::decode`] reads: varints of the length in words, the excerpt's
    /// bytes, the words' bytes and the word count, the excerpt and the words, then each word's
    /// bytes and count, then the claim count and per claim its id and status (each a varint
    /// length and bytes) and its start and end.
    pub fn encode(&self) -> Vec<u8> {
        let words = &self.words;
        let mut out = Vec::with_capacity(self.excerpt.len() + words.text.len() + 3 * words.count + 16);
        for n in [words.length, self.excerpt.len(), words.text.len(), words.count] {
            push_varint(&mut out, n as u64);
        }
        out.extend_from_slice(self.excerpt.as_bytes());
        out.extend_from_slice(words.text.as_bytes());
        for (word, count) in words.iter() {
            push_varint(&mut out, word.len() as u64);
            push_varint(&mut out, u64::from(count));
        }
        push_varint(&mut out, self.claims.len() as u64);
        for claim in &self.claims {
            for part in [&claim.id, &claim.status] {
                push_varint(&mut out, part.len() as u64);
                out.extend_from_slice(part.as_bytes());
            }
            push_varint(&mut out, claim.start as u64);
            push_varint(&mut out, claim.end as u64);
        }
        out
    }

    /// Reads what [`ReadText::encode`] wrote, borrowing from `bytes`; `None` for anything else.
    pub fn decode(bytes: &'a [u8]) -> Option<ReadText<'a>> {
        let mut at = 0usize;
        let mut next = || -> Option<usize> { usize::try_from(read_varint(bytes, &mut at)?).ok() };
        let (length, excerpt_len, text_len, count) = (next()?, next()?, next()?, next()?);
        let text_start = at.checked_add(excerpt_len)?;
        let words_start = text_start.checked_add(text_len)?;
        let excerpt = std::str::from_utf8(bytes.get(at..text_start)?).ok()?;
        let text = std::str::from_utf8(bytes.get(text_start..words_start)?).ok()?;
        at = words_start;
        // Checked whole here, so that reading the counts again later cannot go wrong.
        let mut start = 0usize;
        for _ in 0..count {
            let end = start.checked_add(usize::try_from(read_varint(bytes, &mut at)?).ok()?)?;
            u32::try_from(read_varint(bytes, &mut at)?).ok()?;
            if end > text.len() || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        if start != text.len() {
            return None;
        }
        let counts = Counts::Encoded(&bytes[words_start..at]);
        let mut next = || -> Option<usize> { usize::try_from(read_varint(bytes, &mut at)?).ok() };
        let claim_count = next()?;
        let mut claims = Vec::with_capacity(claim_count.min(bytes.len()));
        for _ in 0..claim_count {
            let mut part = || -> Option<String> {
                let len = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
                let part = std::str::from_utf8(bytes.get(at..at.checked_add(len)?)?).ok()?.to_owned();
                at += len;
                Some(part)
            };
            let (id, status) = (part()?, part()?);
            let mut next = || -> Option<usize> { usize::try_from(read_varint(bytes, &mut at)?).ok() };
            let (start, end) = (next()?, next()?);
            if start > end || !excerpt.is_char_boundary(end) || !excerpt.is_char_boundary(start) {
                return None;
            }
            claims.push(ClaimSpan { id, status, start, end });
        }
        let words = DocWords { text: Cow::Borrowed(text), counts, count, length };
        (at == bytes.len()).then_some(ReadText { words, excerpt: Cow::Borrowed(excerpt), claims })
    }
}

/// Reads a varint at `at`, moving past it; `None` past the end or beyond 64 bits.
fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

#[derive(Serialize)]
struct Entry<'a> {
    version: u32,
    language: &'a str,
    stem: bool,
    docs: usize,
    /// First word and file hash of each index chunk, in word order.
    chunks: Vec<(String, String)>,
    filters: BTreeMap<&'a str, Facet<'a>>,
    /// Jurisdiction code → English name, for the codes the records have.
    places: BTreeMap<&'a str, &'static str>,
    /// Sort key → file hash.
    sorts: BTreeMap<&'a str, String>,
    fragments: Fragments,
}

#[derive(Serialize)]
struct Facet<'a> {
    file: String,
    /// Every value with the number of docs that have it, in file order.
    values: Vec<(&'a str, usize)>,
}

#[derive(Serialize)]
struct Fragments {
    group: usize,
    hashes: Vec<String>,
}

/// A 16-hex-digit content hash for a file name.
fn hash_name(bytes: &[u8]) -> String {
    format!("{:016x}", crate::load::content_hash(bytes))
}

/// Appends `value` as an unsigned LEB128 varint.
fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// One record's distinct words (spans of `text`, one after another) with their
/// field-weighted counts, and its length in words.
#[derive(Debug, Clone)]
struct DocWords<'a> {
    text: Cow<'a, str>,
    counts: Counts<'a>,
    /// How many distinct words.
    count: usize,
    length: usize,
}

/// Each word's byte length in `text` and its count: as read now, or as the word cache keeps
/// them (varint pairs, checked when decoded).
#[derive(Debug, Clone)]
enum Counts<'a> {
    Read(Vec<(usize, u32)>),
    Encoded(&'a [u8]),
}

impl DocWords<'_> {
    fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        let (mut start, mut at, mut i) = (0usize, 0usize, 0usize);
        std::iter::from_fn(move || {
            let (len, count) = match &self.counts {
                Counts::Read(counts) => *counts.get(i)?,
                Counts::Encoded(bytes) => {
                    let len = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
                    (len, u32::try_from(read_varint(bytes, &mut at)?).ok()?)
                }
            };
            i += 1;
            let word = self.text.get(start..start.checked_add(len)?)?;
            start += len;
            Some((word, count))
        })
    }
}

/// Equal when they hold the same words and counts, however each was read.
impl PartialEq for DocWords<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.text == other.text && self.length == other.length && self.count == other.count)
            && self.iter().eq(other.iter())
    }
}

impl Eq for DocWords<'_> {}

fn doc_words(text: &Text) -> DocWords<'static> {
    // The words go into one buffer and are counted as spans of it: no allocation per word.
    let mut all = String::new();
    let mut spans: Vec<(usize, usize, u32)> = Vec::new();
    let [name, summary, claim, body] = FIELD_WEIGHTS;
    let claims = text.claims.iter().map(|c| (c.text.as_str(), claim));
    let fields = [(text.name.as_str(), name), (text.summary.as_str(), summary)].into_iter().chain(claims);
    for (field, weight) in fields.chain([(text.body.as_str(), body)]) {
        tokens::for_each_word(field, |word| {
            let start = all.len();
            all.push_str(word);
            spans.push((start, all.len(), weight));
        });
    }
    let length = spans.len();
    for line in text.name.lines() {
        let key = tokens::words(line).join(" ");
        if !key.is_empty() {
            let start = all.len();
            all.push_str(&key);
            all.push(' ');
            spans.push((start, all.len(), name));
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(spans.len());
    let (mut distinct, mut counts): (String, Vec<(usize, u32)>) = (String::new(), Vec::new());
    for &(start, end, weight) in &spans {
        let word = &all[start..end];
        match seen.get(word) {
            Some(&at) => counts[at].1 += weight,
            None => {
                seen.insert(word, counts.len());
                distinct.push_str(word);
                counts.push((word.len(), weight));
            }
        }
    }
    DocWords { text: Cow::Owned(distinct), count: counts.len(), counts: Counts::Read(counts), length }
}

/// BM25's term weight of a word counted `count` times (field-weighted), as a byte (1-255).
fn quantised_weight(count: u32, norm: f64) -> u8 {
    let count = f64::from(count);
    let weight = count / (count + norm);
    (weight * 255.0).ceil().clamp(1.0, 255.0) as u8
}

/// Every doc's distinct words, numbered (in no order that matters: postings are sorted by word),
/// with field-weighted counts.
#[derive(Default)]
struct WordTable {
    numbers: HashMap<Box<str>, u32>,
    /// (word number, count) of every doc in turn; doc `d`'s are `counts[ends[d - 1]..ends[d]]`.
    counts: Vec<(u32, u32)>,
    ends: Vec<usize>,
    /// Each doc's length in words.
    lengths: Vec<usize>,
}

impl WordTable {
    fn add(&mut self, doc: &DocWords) {
        for (word, count) in doc.iter() {
            let next = self.numbers.len() as u32;
            let number = match self.numbers.get(word) {
                Some(&number) => number,
                None => *self.numbers.entry(word.into()).or_insert(next),
            };
            self.counts.push((number, count));
        }
        self.ends.push(self.counts.len());
        self.lengths.push(doc.length);
    }

    /// Adds the docs of `other` after this table's, numbering its words as this table does.
    fn append(&mut self, other: WordTable) {
        let mut renumbered = vec![0u32; other.numbers.len()];
        for (word, number) in other.numbers {
            let next = self.numbers.len() as u32;
            renumbered[number as usize] = *self.numbers.entry(word).or_insert(next);
        }
        let offset = self.counts.len();
        self.counts.extend(other.counts.into_iter().map(|(number, count)| (renumbered[number as usize], count)));
        self.ends.extend(other.ends.into_iter().map(|end| end + offset));
        self.lengths.extend(other.lengths);
    }

    /// Places each doc's postings by counting sort, so no posting is ever compared: only the
    /// distinct words are sorted.
    fn postings(&self) -> Postings<'_> {
        let total: usize = self.lengths.iter().sum();
        let average = (total as f64 / self.lengths.len().max(1) as f64).max(1.0);
        let mut words = vec![""; self.numbers.len()];
        for (word, &number) in &self.numbers {
            words[number as usize] = word;
        }
        let mut order: Vec<u32> = (0..words.len() as u32).collect();
        order.par_sort_unstable_by_key(|&n| words[n as usize]);
        let mut rank = vec![0u32; words.len()];
        for (r, &n) in order.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        let mut start = vec![0usize; words.len() + 1];
        for &(number, _) in &self.counts {
            start[rank[number as usize] as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let (mut ids, mut weights) = (vec![0u32; self.counts.len()], vec![0u8; self.counts.len()]);
        let mut next = start.clone();
        let mut begin = 0;
        for (id, (&end, &length)) in self.ends.iter().zip(&self.lengths).enumerate() {
            let norm = K1 * (1.0 - B + B * length as f64 / average);
            for &(number, count) in &self.counts[begin..end] {
                let slot = &mut next[rank[number as usize] as usize];
                (ids[*slot], weights[*slot]) = (id as u32, quantised_weight(count, norm));
                *slot += 1;
            }
            begin = end;
        }
        let words = order.iter().map(|&n| words[n as usize]).collect();
        Postings { words, start, ids, weights }
    }
}

/// Every word's postings: doc ids in order and their weights, words in byte order.
struct Postings<'a> {
    words: Vec<&'a str>,
    /// `words[i]`'s postings are `ids[start[i]..start[i + 1]]` (and the same range of `weights`).
    start: Vec<usize>,
    ids: Vec<u32>,
    weights: Vec<u8>,
}

fn encode_chunks(postings: &Postings) -> Vec<(String, Vec<u8>)> {
    let mut chunks = Vec::new();
    let (mut body, mut count, mut first, mut previous) = (Vec::new(), 0u64, String::new(), "");
    let mut ids = Vec::new();
    for (i, &word) in postings.words.iter().enumerate() {
        let range = postings.start[i]..postings.start[i + 1];
        if body.len() >= CHUNK_BYTES {
            chunks.push((std::mem::take(&mut first), close_chunk(count, &body)));
            (body, count, previous) = (Vec::new(), 0, "");
        }
        if count == 0 {
            word.clone_into(&mut first);
        }
        let shared = word.bytes().zip(previous.bytes()).take_while(|(a, b)| a == b).count();
        push_varint(&mut body, shared as u64);
        push_varint(&mut body, (word.len() - shared) as u64);
        body.extend_from_slice(&word.as_bytes()[shared..]);
        push_varint(&mut body, range.len() as u64);
        ids.clear();
        let mut last = 0;
        for &id in &postings.ids[range.clone()] {
            push_varint(&mut ids, u64::from(id - last));
            last = id;
        }
        push_varint(&mut body, ids.len() as u64);
        body.extend_from_slice(&ids);
        body.extend_from_slice(&postings.weights[range]);
        (count, previous) = (count + 1, word);
    }
    if count > 0 {
        chunks.push((first, close_chunk(count, &body)));
    }
    chunks
}

fn close_chunk(count: u64, body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(body.len() + 4);
    push_varint(&mut bytes, count);
    bytes.extend_from_slice(body);
    bytes
}

/// A sorted doc-id set: delta varints, or a bitmap where that is smaller.
fn encode_set(ids: &[u32], docs: usize, out: &mut Vec<u8>) {
    let mut list = Vec::new();
    push_varint(&mut list, ids.len() as u64);
    let mut last = 0;
    for &id in ids {
        push_varint(&mut list, u64::from(id - last));
        last = id;
    }
    let bitmap_len = docs.div_ceil(8);
    if list.len() <= bitmap_len {
        out.push(0);
        out.extend_from_slice(&list);
    } else {
        let mut bitmap = vec![0u8; bitmap_len];
        for &id in ids {
            bitmap[id as usize / 8] |= 1 << (id % 8);
        }
        out.push(1);
        out.extend_from_slice(&bitmap);
    }
}

/// One file per facet with the doc ids of each value; returns the facet table.
fn filter_files<'a>(records: &'a [Record], files: &mut Vec<(String, Vec<u8>)>) -> BTreeMap<&'a str, Facet<'a>> {
    let mut facets: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (id, record) in records.iter().enumerate() {
        for (key, values) in &record.filters {
            let facet = facets.entry(key.as_str()).or_default();
            for value in values {
                let ids = facet.entry(value.as_str()).or_default();
                if ids.last() != Some(&(id as u32)) {
                    ids.push(id as u32);
                }
            }
        }
    }
    let mut table = BTreeMap::new();
    for (key, values) in facets {
        let mut bytes = Vec::new();
        for ids in values.values() {
            encode_set(ids, records.len(), &mut bytes);
        }
        let file = hash_name(&bytes);
        files.push((format!("filter/{file}.bin"), bytes));
        table.insert(key, Facet { file, values: values.iter().map(|(v, ids)| (*v, ids.len())).collect() });
    }
    table
}

/// One file per sort key with each doc's rank; returns sort key → file hash.
fn sort_files<'a>(records: &'a [Record], files: &mut Vec<(String, Vec<u8>)>) -> BTreeMap<&'a str, String> {
    let keys: std::collections::BTreeSet<&str> =
        records.iter().flat_map(|r| r.sort.keys().map(String::as_str)).collect();
    let wide = records.len() >= usize::from(u16::MAX);
    let mut table = BTreeMap::new();
    for key in keys {
        let mut order: Vec<(&str, usize)> =
            records.iter().enumerate().filter_map(|(id, r)| r.sort.get(key).map(|v| (v.as_str(), id))).collect();
        order.sort_unstable();
        let mut ranks = vec![u32::MAX; records.len()];
        for (rank, (_, id)) in order.into_iter().enumerate() {
            ranks[id] = rank as u32;
        }
        let mut bytes = vec![if wide { 4 } else { 2 }];
        for rank in ranks {
            if wide {
                bytes.extend_from_slice(&rank.to_le_bytes());
            } else {
                bytes.extend_from_slice(&u16::try_from(rank).unwrap_or(u16::MAX).to_le_bytes());
            }
        }
        let file = hash_name(&bytes);
        files.push((format!("sort/{file}.bin"), bytes));
        table.insert(key, file);
    }
    table
}

#[derive(Serialize)]
struct Fragment<'a> {
    url: &'a str,
    meta: &'a BTreeMap<String, String>,
    filters: &'a BTreeMap<String, Vec<String>>,
    text: &'a str,
    /// Each claim's id, status, and start and end in `text` (UTF-16 units).
    claims: Vec<(&'a str, &'a str, usize, usize)>,
}

/// The text a result's excerpt is cut from: the summary, every claim (each at most
/// [`CLAIM_CHARS`]) and the body, the summary and body to at most [`EXCERPT_CHARS`] in all, cut
/// at spaces; with where each claim is in it.
fn excerpt_text(text: &Text) -> (String, Vec<ClaimSpan>) {
    let mut out = String::new();
    push_words(&mut out, &text.summary, EXCERPT_CHARS);
    let mut claims = Vec::with_capacity(text.claims.len());
    for claim in &text.claims {
        let start = out.len() + usize::from(!out.is_empty());
        let limit = out.len() + CLAIM_CHARS;
        push_words(&mut out, &claim.text, limit);
        if out.len() > start {
            claims.push(ClaimSpan { id: claim.id.clone(), status: claim.status.clone(), start, end: out.len() });
        }
    }
    let claim_chars: usize = claims.iter().map(|c| c.end - c.start).sum();
    push_words(&mut out, &text.body, EXCERPT_CHARS + claim_chars);
    (out, claims)
}

/// Appends the words of `part` to `out`, space-separated, while `out` stays within `limit` bytes.
fn push_words(out: &mut String, part: &str, limit: usize) {
    for word in part.split_whitespace() {
        if out.len() + word.len() + 1 > limit {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// One fragment per doc, named by its id and the hash of its group; returns the group hashes.
fn fragment_files(fragments: Vec<FragmentBytes>, files: &mut Vec<(String, Vec<u8>)>) -> Vec<String> {
    // A group's hash covers its members' hashes, so any change renames the whole group.
    let hashes: Vec<String> = fragments
        .chunks(FRAGMENT_GROUP)
        .map(|group| {
            let members: Vec<u8> = group.iter().flat_map(|(_, hash)| hash.to_le_bytes()).collect();
            format!("{:08x}", crate::load::content_hash(&members) >> 32)
        })
        .collect();
    for (id, (bytes, _)) in fragments.into_iter().enumerate() {
        files.push((format!("fragment/{id}_{}.json", hashes[id / FRAGMENT_GROUP]), bytes));
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{ClaimText, Text};

    /// Decodes a chunk back into (word, [(doc, weight)]).
    fn decode_chunk(bytes: &[u8]) -> Vec<(String, Vec<(u32, u8)>)> {
        let mut at = 0;
        let count = read_varint(bytes, &mut at).unwrap();
        let mut previous: Vec<u8> = Vec::new();
        let mut out = Vec::new();
        for _ in 0..count {
            let shared = read_varint(bytes, &mut at).unwrap() as usize;
            let suffix = read_varint(bytes, &mut at).unwrap() as usize;
            previous.truncate(shared);
            previous.extend_from_slice(&bytes[at..at + suffix]);
            at += suffix;
            let docs = read_varint(bytes, &mut at).unwrap() as usize;
            let id_bytes = read_varint(bytes, &mut at).unwrap() as usize;
            let (ids_end, mut id) = (at + id_bytes, 0u32);
            let mut postings = Vec::new();
            while at < ids_end {
                id += read_varint(bytes, &mut at).unwrap() as u32;
                postings.push(id);
            }
            let weights = &bytes[at..at + docs];
            at += docs;
            out.push((
                String::from_utf8(previous.clone()).unwrap(),
                postings.into_iter().zip(weights.to_vec()).collect(),
            ));
        }
        assert_eq!(at, bytes.len(), "the chunk has no trailing bytes");
        out
    }

    fn record(name: &str, body: &str) -> Record<'static> {
        Record {
            url: format!("/{name}/"),
            text: Words::Text(Text { name: name.to_owned(), body: body.to_owned(), ..Text::default() }),
            meta: BTreeMap::new(),
            filters: BTreeMap::new(),
            sort: BTreeMap::new(),
        }
    }

    /// The partial word tables merge into what one table of every record gives, byte for byte.
    #[test]
    fn the_bundle_does_not_depend_on_how_the_records_are_split_into_parts() {
        let records = || -> Vec<Record<'static>> {
            (0..700)
                .map(|i| record(&format!("Doc {i}"), &format!("shared word{} rare{i} shared {}", i % 13, i % 5)))
                .collect()
        };
        let whole = build_in_parts(records(), "en", usize::MAX).unwrap();
        for part in [1, 7, PART] {
            assert_eq!(build_in_parts(records(), "en", part).unwrap(), whole, "in parts of {part}");
        }
    }

    #[test]
    fn chunks_round_trip_in_word_order_and_split_near_the_chunk_size() {
        // 3,000 docs, each with two words of its own and one shared by all.
        let mut records: Vec<Record> =
            (0..3000).map(|i| record(&format!("doc{i:05}"), &format!("common øword{i:04} Words"))).collect();
        let (table, _) = read_records(&mut records, PART).unwrap();
        let chunks = encode_chunks(&table.postings());
        assert!(chunks.len() >= 3, "{} chunks", chunks.len());
        let mut all = Vec::new();
        for (first, bytes) in &chunks {
            assert!(bytes.len() < CHUNK_BYTES + 16 * 1024, "a chunk of {} bytes", bytes.len());
            let decoded = decode_chunk(bytes);
            assert_eq!(&decoded[0].0, first, "the table names each chunk's first word");
            all.extend(decoded);
        }
        let words: Vec<&str> = all.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.is_sorted(), "words are in byte order across chunks");
        assert_eq!(words.len(), 3000 * 3 + 2, "two words and a name key each, and two shared");
        let common = &all.iter().find(|(w, _)| w == "common").unwrap().1;
        assert_eq!(common.iter().map(|p| p.0).collect::<Vec<_>>(), (0..3000).collect::<Vec<_>>());
        let named = &all.iter().find(|(w, _)| w == "doc00042").unwrap().1;
        assert_eq!(named.len(), 1);
        assert!(named[0].1 > common[42].1, "a word in the name weighs more than one in the body");
        assert!(words.contains(&"words") && words.contains(&"øword0001"), "as written, and UTF-8 kept whole");
        assert_eq!(all.iter().find(|(w, _)| w == "doc00042 ").unwrap().1.len(), 1, "the name key");
    }

    #[test]
    fn read_text_round_trips_and_damage_is_refused() {
        let text = Text {
            name: "Ünïcode Mail".to_owned(),
            summary: "Mail, mail and more mail.".to_owned(),
            claims: vec![
                ClaimText {
                    id: "c1".to_owned(),
                    status: "disputed".to_owned(),
                    text: "Claims 日本語 here.".to_owned(),
                },
                ClaimText { id: "c2".to_owned(), status: "verified".to_owned(), text: "More.".to_owned() },
            ],
            body: "Body words, body words.".to_owned(),
        };
        let read = ReadText::of(&text);
        assert_eq!(read.excerpt, "Mail, mail and more mail. Claims 日本語 here. More. Body words, body words.");
        let spans: Vec<&str> = read.claims.iter().map(|c| &read.excerpt[c.start..c.end]).collect();
        assert_eq!(spans, ["Claims 日本語 here.", "More."]);
        let bytes = read.encode();
        let decoded = ReadText::decode(&bytes).expect("decodes");
        assert_eq!(decoded, read, "the same words and counts, read from the bytes");
        assert!(matches!(decoded.words.counts, Counts::Encoded(_)), "borrowed, not copied");
        assert_eq!(decoded.encode(), bytes, "and encoded again as they were");
        assert_eq!(ReadText::decode(&ReadText::of(&Text::default()).encode()), Some(ReadText::of(&Text::default())));
        for cut in 0..bytes.len() {
            assert_eq!(ReadText::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(ReadText::decode(&[bytes.as_slice(), b"x"].concat()), None, "trailing bytes");
        // A word boundary inside a character, and a length past the end: the last word's length
        // comes before its count and the claim count.
        let plain = ReadText::of(&Text { summary: "mail 日本語".to_owned(), ..Text::default() }).encode();
        let last_word = plain.len() - 3;
        assert_eq!(plain[last_word], 9);
        for length in [8, 10] {
            let mut damaged = plain.clone();
            damaged[last_word] = length;
            assert_eq!(ReadText::decode(&damaged), None, "a last word of {length} bytes");
        }
        assert_eq!(ReadText::decode(&[0xff; 12]), None, "a varint past 64 bits");
    }

    #[test]
    fn utf16_offsets_count_on_and_start_over_when_asked_for_an_earlier_one() {
        let text = "aé日𝄞b 𝄞x";
        let naive = |at: usize| text[..at].encode_utf16().count();
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&at| text.is_char_boundary(at)).collect();
        let mut offsets = Utf16Offsets { text, byte: 0, units: 0 };
        for &at in boundaries.iter().chain(boundaries.iter().rev()) {
            assert_eq!(offsets.at(at), naive(at), "at byte {at}");
        }
        assert_eq!(naive(text.len()), 10, "two characters outside the BMP count twice");
    }

    #[test]
    fn sets_pick_the_smaller_encoding() {
        let (mut sparse, mut dense) = (Vec::new(), Vec::new());
        encode_set(&[3, 700], 1000, &mut sparse);
        assert_eq!(sparse, [0, 2, 3, 0xb9, 0x05]);
        encode_set(&(0..500).collect::<Vec<_>>(), 1000, &mut dense);
        assert_eq!((dense[0], dense.len()), (1, 1 + 125));
        assert_eq!(dense[1], 0xff);
    }

    #[test]
    fn ranks_follow_the_sort_key_and_docs_without_it_rank_last() {
        let mut records = vec![record("b", ""), record("a", ""), record("c", "")];
        records[0].sort.insert("name".to_owned(), "beta".to_owned());
        records[1].sort.insert("name".to_owned(), "alpha".to_owned());
        let mut files = Vec::new();
        let table = sort_files(&records, &mut files);
        assert_eq!(files[0].0, format!("sort/{}.bin", table["name"]));
        assert_eq!(files[0].1, [2, 1, 0, 0, 0, 0xff, 0xff]);
    }
}
