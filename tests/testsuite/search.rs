//! Search: `dossier build` writes a chunked index and a search UI that needs no inline script;
//! the engine, run in node (`tests/browser/engine.mjs`), tokenises as the indexer does, stems as
//! Snowball's English stemmer does (rust-stemmers), finds words with AND semantics and prefixes
//! across chunk borders, filters, sorts, keeps hostile text inert, and answers a set of reader
//! queries (names, former names, prefixes, stems, countries, typos, phrases, accents, claims)
//! with the expected top results on the bundled wiki and a generated 1,000-dossier wiki; a real
//! Chromium (Debian's package, driven by `tests/browser/search.mjs` through playwright-core)
//! finds providers by name, by a word of one claim (listing that claim under the result) and by
//! country, corrects a typo, narrows results with a filter, keeps the state in the URL, and runs
//! under a strict CSP without errors.

use std::collections::BTreeMap;
use std::path::Path;

use dossier::model::Date;
use dossier::search::{Record, Text, Words, tokens};
use serde_json::Value;

use crate::harness::{Wiki, dossier, fixtures_dir};

/// The fixture wiki, built with its `base_url` under `/wiki/`, and the output directory.
/// The fixture wiki in a git repository whose history last changed ExampleMail, then Postquay
/// before it, and the rest before that (the "recently changed" sort), built.
fn built_fixture() -> (Wiki, std::path::PathBuf) {
    let wiki = Wiki::empty().overlay_dir(&fixtures_dir().join("wiki"));
    let root = wiki.root();
    crate::git_cli::git_on(root, "2026-01-01", &["init", "-q", "-b", "main"]);
    crate::git_cli::git_on(root, "2026-01-01", &["add", "-A"]);
    crate::git_cli::git_on(root, "2026-01-01", &["commit", "-q", "-m", "The fixture"]);
    for (day, slug) in [("2026-02-01", "postquay"), ("2026-03-01", "examplemail")] {
        let file = root.join(format!("content/providers/{slug}.md"));
        let text = std::fs::read_to_string(&file).expect("read the dossier");
        std::fs::write(&file, format!("{text}\nEdited.\n")).expect("write the dossier");
        crate::git_cli::git_on(root, day, &["commit", "-q", "-a", "-m", &format!("Edit {slug}")]);
    }
    let out = wiki.path("public");
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(&out).run().assert_code(0);
    (wiki, out)
}

fn html_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("list the output") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            html_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "html") {
            found.push(path);
        }
    }
}

#[test]
fn build_writes_a_chunked_index_and_pages_that_need_no_inline_code() {
    let (_wiki, out) = built_fixture();
    for file in ["search-index/engine.js", "search-index/entry.json"] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    for dir in ["index", "filter", "sort", "fragment"] {
        let chunks = std::fs::read_dir(out.join("search-index").join(dir)).map(|d| d.count()).unwrap_or(0);
        assert!(chunks > 0, "no files in search-index/{dir}");
    }
    assert!(!out.join("pagefind").exists(), "no Pagefind bundle any more");
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("read a page");
        let shown = page.display();
        assert!(!html.contains(" style="), "{shown} has an inline style attribute");
        for script in html.split("<script").skip(1) {
            let tag = &script[..script.find('>').expect("a closed script tag")];
            assert!(tag.contains("src="), "{shown} has an inline script: <script{tag}>");
        }
        // A GET form (minified: the default `method` is dropped) that works without JavaScript.
        let unquoted = html.replace('"', "");
        assert!(
            unquoted.contains("action=/wiki/search/")
                && unquoted.contains("name=q")
                && !unquoted.contains("method=post"),
            "{shown} lacks the plain search form"
        );
    }
}

/// The JSON report of `tests/browser/search.mjs`, or a failure that says what is missing.
fn run_browser(site: &Path) -> Value {
    crate::harness::browser_report(crate::harness::browser_command("search.mjs").arg(site).arg("/wiki/"))
}

fn titles(seen: &Value) -> Vec<&str> {
    seen["titles"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[test]
fn a_reader_finds_filters_and_shares_results_in_chromium_under_a_strict_csp() {
    let (_wiki, out) = built_fixture();
    let report = run_browser(&out);
    let shown = serde_json::to_string_pretty(&report).unwrap_or_default();
    assert!(report["error"].is_null(), "a browser step failed: {shown}");
    for kind in ["console", "warnings", "pageErrors", "failedRequests", "badResponses", "csp"] {
        assert_eq!(report["problems"][kind].as_array().map(Vec::len), Some(0), "{kind} problems: {shown}");
    }
    assert_eq!(titles(&report["byName"]).first(), Some(&"Harborline Mail"), "{shown}");
    assert_eq!(titles(&report["byClaimWord"]), ["Harborline Mail"], "{shown}");
    assert_eq!(report["byClaimWord"]["links"][0], "/wiki/providers/harborline/", "{shown}");
    assert!(report["byClaimWord"]["marks"].as_array().unwrap().iter().any(|m| m == "retaliation"), "{shown}");
    let mut by_country = titles(&report["byCountry"]);
    by_country.sort_unstable();
    assert_eq!(by_country, ["ExampleMail", "Nimbus DNS", "Postquay"], "{shown}");
    assert_eq!(titles(&report["byCode"]).len(), 3, "DE is the jurisdiction, not a prefix: {shown}");
    assert!(report["byCode"]["place"].as_str().unwrap_or_default().contains("Germany (DE)"), "{shown}");
    assert_eq!(report["placeFilterChecked"], true, "the code moved into the filter: {shown}");
    assert_eq!(report["placeFilter"]["query"], "?jurisdiction=DE", "{shown}");

    let claims = report["byClaimWord"]["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(claims.first().map(|c| &c["href"]), Some(&"/wiki/providers/harborline/#claim-staff-retaliation".into()));
    assert_eq!(claims[0]["badge"], "Alleged", "the claim's status: {shown}");
    assert!(claims[0]["marks"].as_array().is_some_and(|m| m.iter().any(|m| m == "retaliation")), "{shown}");
    assert_eq!(report["claimTarget"]["id"], "claim-staff-retaliation", "the link reaches the claim: {shown}");
    assert!(report["claimTarget"]["className"].as_str().unwrap_or_default().contains("claim--alleged"), "{shown}");
    assert_eq!(titles(&report["typo"]), ["Harborline Mail"], "{shown}");
    let corrected = report["typo"]["corrected"].as_str().unwrap_or_default();
    assert!(corrected.starts_with("Showing results for retaliation") && corrected.contains("“retalation”"), "{shown}");
    assert!(report["byName"]["corrected"].is_null(), "no correction where words match: {shown}");

    let (all, filtered) = (report["unfilteredCount"].as_i64(), report["filteredCount"].as_i64());
    assert!(filtered > Some(0) && filtered < all, "the filter narrows the results: {shown}");
    assert!(titles(&report["filtered"]).iter().all(|t| ["ExampleMail", "Postquay"].contains(t)), "{shown}");
    let query = report["filtered"]["query"].as_str().unwrap_or_default();
    assert!(query.contains("q=mail") && query.contains("jurisdiction=DE"), "the URL holds the state: {shown}");
    assert_eq!(report["afterBack"]["query"], "?q=mail", "Back undoes the filter: {shown}");
    assert_eq!(report["afterBackChecked"], false, "{shown}");
    assert_eq!(report["nothing"]["noneShown"], true, "{shown}");
    assert_eq!(titles(&report["shared"]), ["Postquay"], "a shared URL restores query and filters: {shown}");
    let recent = titles(&report["byChange"]);
    assert_eq!(recent.get(..2), Some(&["ExampleMail", "Postquay"][..]), "the last changed first: {shown}");
    assert_eq!(report["byChangeSort"], "changed-desc", "{shown}");
    assert_eq!(report["keyboardFocus"], "checkbox", "{shown}");
    assert_eq!(report["filterChunksBeforeCountry"], false, "a plain query fetches no filter data: {shown}");

    assert_eq!(report["engineBeforeFocus"], false, "the engine loads only when wanted: {shown}");
    assert_eq!(titles(&serde_json::json!({"titles": report["quickTitles"]})).first(), Some(&"Zonequill DNS"));
    assert_eq!(report["quickFocus"], "/wiki/providers/zonequill/", "Down moves into the results: {shown}");
    assert_eq!(report["quickClosed"], true, "Escape closes the quick results: {shown}");
}

/// Writes the bundle of `records` into a temp dir; returns the dir and the bundle's path in it.
fn bundle_of(records: Vec<Record>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (path, bytes) in dossier::search::index_records(records, "en".to_owned()).expect("the index builds") {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("a bundle dir");
        std::fs::write(file, bytes).expect("a bundle file");
    }
    let bundle = dir.path().join("search-index");
    (dir, bundle)
}

/// Runs `tests/browser/engine.mjs` on `bundle` with `requests`; returns its answers.
fn run_engine(bundle: &Path, requests: &Value) -> Vec<Value> {
    let mut child = std::process::Command::new("node")
        .arg(crate::harness::manifest_dir().join("tests/browser/engine.mjs"))
        .arg(bundle)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs (Node.js 20 or later is needed for the search tests)");
    let mut stdin = child.stdin.take().expect("node's stdin");
    std::io::Write::write_all(&mut stdin, requests.to_string().as_bytes()).expect("send the requests");
    drop(stdin);
    let output = child.wait_with_output().expect("node finishes");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "engine.mjs failed:\n{stdout}\n{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("engine.mjs printed no JSON ({e}):\n{stdout}\n{stderr}"))
}

fn record(name: &str, summary: &str, body: &str) -> Record<'static> {
    Record {
        url: format!("/providers/{}/", name.to_lowercase()),
        text: Words::Text(Text {
            name: name.to_owned(),
            summary: summary.to_owned(),
            body: body.to_owned(),
            ..Text::default()
        }),
        meta: BTreeMap::from([("title".to_owned(), name.to_owned()), ("kind".to_owned(), "provider".to_owned())]),
        filters: BTreeMap::new(),
        sort: BTreeMap::from([("name".to_owned(), name.to_lowercase())]),
    }
}

/// Texts that exercise the tokeniser: accents, hyphens, digits, apostrophes, CJK, emoji, case
/// rules, plurals and the word-length limit; each also in capitals, plural and hyphenated.
fn tokeniser_samples() -> Vec<String> {
    let bases = [
        "DKIM-signed",
        "Zürich",
        "naïve",
        "Ærøskøbing",
        "don't",
        "rock’n’roll",
        "e-mail",
        "2026-11-27",
        "v1.2.3",
        "ΟΔΟΣ",
        "Σίσυφος",
        "ΑΣ.",
        "İstanbul",
        "straße",
        "ẞig",
        "東京都",
        "北京市 上海",
        "한국어",
        "日本語のテキスト",
        "🙂emoji🙂",
        "👩‍👩‍👧family",
        "café",
        "cafe\u{301}",
        "ﬁnance",
        "Ⅻ roman",
        "½ half",
        "x² y₃",
        "١٢٣ digits",
        "policies",
        "addresses",
        "status",
        "claims",
        "Companies",
        "ss",
        "gas",
        "dns",
        "aies",
        "eies",
        "ies",
        "does",
        "_under_score_",
        "tab\there",
        "new\nline",
        "a\u{a0}nbsp",
        "zero\u{200b}width",
        "ǅemal",
        "ΐ",
        "\u{212a}elvin",
        "\u{212b}ngstrom",
        "€100",
        "100%",
        "C++",
        "C#",
        "ŉ",
        "Ꭰᏸ",
        "Ǆ",
        "Ñandú",
        "Ångström",
        "Łódź",
        "Dvořák",
        "Ünïcödé",
        "résumés",
        "façades",
        "Œuvres",
        "ĳssel",
        "Ⓐ circled",
        "ﾊﾝｶｸ",
        "ＦＵＬＬ",
        "ẍ̧",
        "हिन्दी",
        "العربية",
        "עברית",
        "ไทย",
        "Tiếng Việt",
        "ⅷ",
        "ᾼ",
        "ﬆ",
    ];
    let mut samples: Vec<String> = Vec::new();
    for base in bases {
        samples.push(base.to_owned());
        samples.push(base.to_uppercase());
        samples.push(format!("{base}s"));
        samples.push(format!("pre-{base}'s, post_{base}!"));
    }
    samples.push("x".repeat(64));
    samples.push("x".repeat(65));
    samples.push("é".repeat(64));
    samples.push("é".repeat(65));
    samples
}

/// The engine's answer to one request `key` over `items` (one answer per item).
fn engine_answers<T: serde::de::DeserializeOwned>(key: &str, items: &[String]) -> Vec<T> {
    let (_dir, bundle) = bundle_of(vec![record("Anchor", "", "")]);
    let answers = run_engine(&bundle, &serde_json::json!([{ key: items }]));
    serde_json::from_value(answers[0].clone()).expect("one answer per item")
}

#[test]
fn the_engine_tokenises_exactly_as_the_indexer_does() {
    let samples = tokeniser_samples();
    assert!(samples.len() >= 300, "{} samples", samples.len());
    let theirs: Vec<Vec<String>> = engine_answers("words", &samples);
    for (sample, words) in samples.iter().zip(theirs) {
        assert_eq!(words, tokens::words(sample), "{sample:?}");
    }
}

/// Suffixes that exercise every step of Porter2.
const SUFFIXES: &[&str] = &[
    "s", "es", "ies", "ied", "sses", "ed", "edly", "eed", "eedly", "ing", "ingly", "ly", "y", "al", "ally", "ance",
    "ence", "ancy", "ency", "able", "ably", "ible", "ibly", "ability", "ibility", "ant", "ent", "ement", "ment",
    "ments", "ism", "ist", "ists", "ate", "ated", "ating", "ation", "ations", "ational", "ator", "ators", "ize",
    "ized", "izing", "izer", "ization", "ise", "iser", "iti", "ity", "ities", "ous", "ously", "ousness", "ive",
    "ively", "iveness", "ivity", "ful", "fully", "fulness", "less", "lessly", "ness", "ic", "ical", "ically", "icate",
    "iciti", "alize", "alism", "er", "ers", "est", "ion", "ions", "logy", "logies", "li", "bli", "ogi",
];

/// Thousands of words: every word of the bundled wiki and the fixtures, of a generated corpus,
/// those words with Porter2's suffixes, and the stemmer's special cases.
fn stemmer_words() -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    let corpus = crate::corpus::generate(60, crate::corpus::generator::Flavor::Dossier, None);
    let roots = [crate::harness::manifest_dir().join("content"), fixtures_dir(), corpus.path().to_path_buf()];
    let mut english = std::collections::BTreeSet::new();
    for root in &roots {
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for word in tokens::words(&text) {
                if root == &roots[0] && word.len() >= 4 && word.bytes().all(|b| b.is_ascii_lowercase()) {
                    english.insert(word.clone());
                }
                words.insert(word);
            }
        }
    }
    for base in &english {
        for suffix in SUFFIXES {
            words.insert(format!("{base}{suffix}"));
            if let Some(cut) = base.strip_suffix(['e', 'y']) {
                words.insert(format!("{cut}{suffix}"));
            }
        }
    }
    for special in "skis skies sky dying lying tying idly gently ugly early only singly news howe atlas cosmos bias \
        andes inning innings outing outings canning cannings herring herrings earring earrings proceed proceeds \
        exceed exceeds succeed succeeds generate generously communication communism arsenal arsenic yes yellow \
        say saying sayings toy toys yoyo ayy boy boyish cry cries cried by bye dye dyes ties dies a ab abc gas \
        gaps does dns 3des pop3 pop3s ipv6 x2 2fa"
        .split_whitespace()
    {
        words.insert(special.to_owned());
    }
    words.extend(tokeniser_samples().iter().flat_map(|s| tokens::words(s)));
    words.into_iter().collect()
}

#[test]
fn the_engine_stems_as_snowball_english_does_and_finds_every_word_of_a_stem() {
    let words = stemmer_words();
    assert!(words.len() >= 20_000, "{} words", words.len());
    let theirs: Vec<(String, Vec<String>)> = engine_answers("stems", &words);
    let snowball = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut differ = Vec::new();
    for (word, (stem, prefixes)) in words.iter().zip(&theirs) {
        let plain = word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let expected = if plain { snowball.stem(word).into_owned() } else { word.clone() };
        if *stem != expected {
            differ.push(format!("{word}: engine {stem}, Snowball {expected}"));
        }
        // The engine reads the index words that start with these prefixes for a stem's family.
        assert!(prefixes.iter().any(|p| word.starts_with(p.as_str())), "{word} ({stem}) is outside {prefixes:?}");
    }
    assert!(differ.is_empty(), "{} of {} words differ:\n{}", differ.len(), words.len(), differ.join("\n"));
}

/// 3,000 providers: "alphaNNNN" each (a prefix whose words fill several chunks), "even" in
/// every second, "three" in every third, a category facet by parity, and one hostile record.
fn engine_records() -> Vec<Record<'static>> {
    let mut records: Vec<Record> = (0..3000)
        .map(|i| {
            let mut words = format!("alpha{i:04} alpha{i:04}xyzw common");
            if i % 2 == 0 {
                words.push_str(" even");
            }
            if i % 3 == 0 {
                words.push_str(" three");
            }
            let mut r = record(&format!("Provider{i:04}"), "", &words);
            let category = if i % 2 == 0 { "Even <b>" } else { "Odd" };
            r.filters.insert("category".to_owned(), vec![category.to_owned()]);
            r
        })
        .collect();
    let hostile = r#"<script>alert(1)</script> <img src=x onerror="alert(2)"> &amp; 'zebra' crossing"#;
    let mut evil = record("Evil <i>Inc</i>", hostile, "zebra");
    evil.url = r#"/providers/evil"><script>/"#.to_owned();
    records.push(evil);
    records
}

#[test]
fn the_engine_ands_words_matches_prefixes_across_chunks_filters_and_sorts() {
    let (_dir, bundle) = bundle_of(engine_records());
    let requests = serde_json::json!([
        { "search": "even three", "shown": 3 },
        { "search": "alpha", "shown": 0 },
        { "search": "alpha004", "shown": 20 },
        { "search": "alpha0042" },
        { "search": "even nothinglikeit" },
        { "filters": true },
        { "search": "three", "options": { "filters": { "category": { "any": ["Even <b>"] } } }, "shown": 0 },
        { "search": "three", "options": { "sort": { "name": "desc" } }, "shown": 2 },
        { "search": null, "options": { "filters": { "category": { "any": ["Odd"] } } }, "shown": 0 },
        { "search": "PROVIDER0007" },
    ]);
    let answers = run_engine(&bundle, &requests);
    let count = |i: usize| answers[i]["count"].as_u64().unwrap_or(u64::MAX);
    let urls = |i: usize| -> Vec<String> {
        answers[i]["results"].as_array().unwrap().iter().map(|r| r["url"].as_str().unwrap().to_owned()).collect()
    };
    let fetched = |i: usize, dir: &str| {
        answers[i]["fetched"].as_array().unwrap().iter().filter(|f| f.as_str().unwrap().starts_with(dir)).count()
    };
    assert_eq!(count(0), 500, "every word must match: {}", answers[0]);
    assert_eq!(count(1), 3000, "the last word is also a prefix: {}", answers[1]["count"]);
    assert!(fetched(1, "index/") >= 2, "'alpha' spans chunk borders: {}", answers[1]["fetched"]);
    assert_eq!(fetched(0, "filter/") + fetched(0, "sort/"), 0, "a plain query fetches no filter or sort data");
    let mut prefixed = urls(2);
    prefixed.sort();
    assert_eq!(prefixed, (40..50).map(|i| format!("/providers/provider{i:04}/")).collect::<Vec<_>>());
    assert_eq!(urls(3), ["/providers/provider0042/"]);
    assert!(answers[3]["results"][0]["excerpt"].as_str().unwrap().contains("<mark>alpha0042</mark>"), "{}", answers[3]);
    assert_eq!(count(4), 0, "{}", answers[4]);
    assert_eq!(answers[5]["category"], serde_json::json!({"Even <b>": 1500, "Odd": 1500}));
    assert_eq!((count(6), answers[6]["unfiltered"].as_u64()), (500, Some(1000)), "{}", answers[6]["count"]);
    assert_eq!(answers[6]["filters"]["category"], serde_json::json!({"Even <b>": 500, "Odd": 0}));
    assert_eq!(urls(7), ["/providers/provider2997/", "/providers/provider2994/"], "name, Z to A");
    assert_eq!(count(8), 1500, "no words: every doc the filters allow");
    assert_eq!(urls(9)[0], "/providers/provider0007/", "the name outranks nothing else: {}", answers[9]);
}

#[test]
fn typing_fetches_ahead_only_chunks_the_finished_word_reads() {
    let (_dir, bundle) = bundle_of(engine_records());
    let requests = serde_json::json!([
        { "preload": "alp" },
        { "preload": "alpha004" },
        { "search": "alpha0042" },
    ]);
    let answers = run_engine(&bundle, &requests);
    let chunks = |answer: &Value| -> Vec<String> {
        let files = answer.as_array().unwrap_or_else(|| answer["fetched"].as_array().expect("fetched files"));
        files.iter().filter_map(|f| f.as_str()).filter(|f| f.starts_with("index/")).map(str::to_owned).collect()
    };
    assert_eq!(chunks(&answers[0]), Vec::<String>::new(), "'alp' spans several chunks: nothing is fetched ahead");
    let ahead = chunks(&answers[1]);
    assert_eq!(ahead.len(), 1, "'alpha004' lies in one chunk: {ahead:?}");
    // The search runs after the preload in the same engine, so it reads that chunk from memory.
    assert_eq!(chunks(&answers[2]), Vec::<String>::new(), "'alpha0042' needed only the chunk fetched ahead");
}

#[test]
fn hostile_text_in_records_stays_inert_text() {
    let (_dir, bundle) = bundle_of(engine_records());
    let answers = run_engine(&bundle, &serde_json::json!([{ "search": "zebra" }, { "search": "script alert" }]));
    assert_eq!(answers[0]["count"], 1, "{}", answers[0]);
    let result = &answers[0]["results"][0];
    assert_eq!(result["title"], "Evil <i>Inc</i>", "titles are data, for the UI to set as text");
    assert_eq!(result["url"], r#"/providers/evil"><script>/"#);
    let excerpt = result["excerpt"].as_str().unwrap();
    assert!(excerpt.contains("onerror=&quot;alert(2)&quot;&gt;"), "{excerpt}");
    assert!(excerpt.contains("&#39;<mark>zebra</mark>&#39;"), "{excerpt}");
    let unmarked = excerpt.replace("<mark>", "").replace("</mark>", "");
    assert!(!unmarked.contains(['<', '>', '"']), "only <mark> is markup: {excerpt}");
    assert!(unmarked.contains("&amp;amp;"), "{excerpt}");
    assert_eq!(answers[1]["count"], 1, "markup in text is just words: {}", answers[1]);
    let excerpt = answers[1]["results"][0]["excerpt"].as_str().unwrap();
    assert!(
        excerpt.starts_with("&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt;"),
        "{excerpt}"
    );
}

/// One reader query and what its answer must show.
#[derive(Default)]
struct Query {
    text: &'static str,
    /// The first result's title.
    first: Option<&'static str>,
    /// Titles that make up the first results, in any order.
    top: &'static [&'static str],
    /// A title among the first five.
    within_five: Option<&'static str>,
    /// The word a typo is corrected to.
    corrected: Option<&'static str>,
    /// The jurisdiction a country name or code is read as; every result has it.
    place: Option<&'static str>,
    /// Bounds on the result count.
    count: Option<(u64, u64)>,
    /// A result's title and a claim id listed under it.
    claim: Option<(&'static str, &'static str)>,
}

fn q(text: &'static str) -> Query {
    Query { text, ..Query::default() }
}

impl Query {
    fn first(self, title: &'static str) -> Self {
        Query { first: Some(title), ..self }
    }
    fn top(self, titles: &'static [&'static str]) -> Self {
        Query { top: titles, ..self }
    }
    fn within_five(self, title: &'static str) -> Self {
        Query { within_five: Some(title), ..self }
    }
    fn corrected(self, word: &'static str) -> Self {
        Query { corrected: Some(word), ..self }
    }
    fn place(self, code: &'static str) -> Self {
        Query { place: Some(code), ..self }
    }
    fn count(self, min: u64, max: u64) -> Self {
        Query { count: Some((min, max)), ..self }
    }
    fn claim(self, title: &'static str, id: &'static str) -> Self {
        Query { claim: Some((title, id)), ..self }
    }

    /// What is wrong with `answer` (the engine's, with the first ten results), if anything.
    fn problems(&self, answer: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let results = answer["results"].as_array().cloned().unwrap_or_default();
        let titles: Vec<&str> = results.iter().filter_map(|r| r["title"].as_str()).collect();
        let count = answer["count"].as_u64().unwrap_or(0);
        let mut fail = |what: String| problems.push(format!("{:?}: {what} (got {count}: {titles:?})", self.text));
        if let Some(first) = self.first
            && titles.first() != Some(&first)
        {
            fail(format!("{first} should come first"));
        }
        let mut top: Vec<&str> = titles.iter().take(self.top.len()).copied().collect();
        top.sort_unstable();
        let mut expected = self.top.to_vec();
        expected.sort_unstable();
        if top != expected {
            fail(format!("the first results should be {:?}", self.top));
        }
        if let Some(title) = self.within_five
            && !titles.iter().take(5).any(|t| *t == title)
        {
            fail(format!("{title} should be among the first five"));
        }
        let corrections: Vec<&str> =
            answer["corrections"].as_array().into_iter().flatten().filter_map(|c| c["to"].as_str()).collect();
        if corrections != self.corrected.into_iter().collect::<Vec<_>>() {
            fail(format!("corrections {corrections:?}, expected {:?}", self.corrected));
        }
        let places: Vec<&str> =
            answer["places"].as_array().into_iter().flatten().filter_map(|p| p["code"].as_str()).collect();
        if places != self.place.into_iter().collect::<Vec<_>>() {
            fail(format!("countries {places:?}, expected {:?}", self.place));
        }
        if let Some(code) = self.place
            && answer["filters"]["jurisdiction"][code].as_u64() != Some(count)
        {
            fail(format!("every result should be in {code}: {}", answer["filters"]["jurisdiction"]));
        }
        if let Some((min, max)) = self.count
            && !(min..=max).contains(&count)
        {
            fail(format!("{min}..={max} results expected"));
        }
        if let Some((title, id)) = self.claim {
            let listed = results.iter().find(|r| r["title"] == title).and_then(|r| r["claims"].as_array().cloned());
            let found = listed.unwrap_or_default().into_iter().find(|c| c["id"] == id);
            match found {
                None => fail(format!("{title} should list its claim {id}")),
                Some(claim) if !claim["url"].as_str().unwrap_or_default().ends_with(&format!("/#claim-{id}")) => {
                    fail(format!("claim {id} links to {}", claim["url"]));
                }
                Some(_) => {}
            }
        }
        // Whatever the query, excerpts are text with <mark> around matches and nothing else.
        for result in &results {
            let claims = result["claims"].as_array().cloned().unwrap_or_default();
            for excerpt in std::iter::once(&result["excerpt"]).chain(claims.iter().map(|c| &c["excerpt"])) {
                let unmarked = excerpt.as_str().unwrap_or_default().replace("<mark>", "").replace("</mark>", "");
                if unmarked.contains(['<', '>', '"']) {
                    fail(format!("markup in an excerpt: {excerpt}"));
                }
            }
        }
        problems
    }
}

/// The search bundle of the wiki at `root`, built as `dossier build` builds it, in a temp dir.
fn bundle_of_wiki(root: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let site = dossier::site::load_site(root).expect("the wiki loads");
    let today = Date::parse("2026-11-27").expect("a date");
    let dir = tempfile::tempdir().expect("a temp dir");
    for (path, bytes) in dossier::search::index_site(&site, &dossier::search::Scope::published("/", today), None)
        .expect("the index builds")
    {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("a bundle dir");
        std::fs::write(file, bytes).expect("a bundle file");
    }
    let bundle = dir.path().join("search-index");
    (dir, bundle)
}

/// Runs `queries` on `bundle`; checks each, and that "signing", "signed" and "sign" find the
/// same dossiers (one stem). Returns every problem found.
fn run_queries(bundle: &Path, queries: &[Query]) -> Vec<String> {
    let mut requests: Vec<Value> =
        queries.iter().map(|query| serde_json::json!({ "search": query.text, "shown": 10 })).collect();
    requests.extend(["signing", "signed", "sign"].map(|word| serde_json::json!({ "search": word, "shown": 0 })));
    let answers = run_engine(bundle, &Value::Array(requests));
    let mut problems: Vec<String> = queries.iter().zip(&answers).flat_map(|(query, a)| query.problems(a)).collect();
    let stems: Vec<u64> = answers[queries.len()..].iter().map(|a| a["count"].as_u64().unwrap_or(0)).collect();
    if stems.windows(2).any(|w| w[0] != w[1]) || stems[0] == 0 {
        problems.push(format!("signing / signed / sign should find the same dossiers: {stems:?}"));
    }
    problems
}

#[test]
fn reader_queries_find_the_expected_results_on_the_bundled_wiki() {
    let queries = [
        q("MailWren").first("MailWren"),
        q("mäilwren").first("MailWren"),
        q("KÉSTRELVALE").first("Kestrelvale Hosting"),
        q("HPMail").first("HarborPost"),
        q("Harbor Post Mail").first("HarborPost"),
        q("quillpost").first("QuillBox Mail"),
        q("Meadow DNS").first("DNSMeadow"),
        q("mail").top(&["QuillBox Mail", "HarborPost"]),
        q("zonew").first("ZoneWarden").count(1, 1),
        q("cedar").first("CedarKeep"),
        q("vault").first("VaultMoss"),
        q("s3").first("VaultMoss"),
        q("dnssec").within_five("DNSMeadow").count(5, 6),
        q("signing").within_five("ZoneWarden").count(8, 30),
        q("exports").within_five("HarborPost").claim("HarborPost", "export-window"),
        q("retaliatory reviews").top(&["NameAnvil DNS", "MailWren"]).claim("MailWren", "retaliatory-reviews"),
        q("transparency report").first("Kestrelvale Hosting").claim("Kestrelvale Hosting", "leak-report-2026"),
        q("\"data centres\"").within_five("Kestrelvale Hosting").count(5, 10),
        q("dkmi").corrected("dkim").within_five("MailWren"),
        q("retalitory").corrected("retaliatory").top(&["NameAnvil DNS", "MailWren"]).count(2, 2),
        q("mailwrne").corrected("mailwren").first("MailWren"),
        q("transperency").corrected("transparency").first("Kestrelvale Hosting"),
        q("DE").place("DE").top(&["MailWren", "VaultMoss"]).count(2, 2),
        q("de").place("DE").count(2, 2),
        q("Germany").place("DE").count(2, 2),
        q("mail in germany").place("DE").first("MailWren").count(1, 1),
        q("FR").place("FR").first("Kestrelvale Hosting").count(1, 1),
        q("France").place("FR").count(1, 1),
        q("United Kingdom").place("GB").first("ZoneWarden"),
        q("Sweden backup").place("SE"),
        q("qwxzzyq").count(0, 0),
        q("<script>alert(1)</script>").count(0, 0),
        q("\"unterminated quote").count(0, 0),
        q("*** ??? !!!").count(0, 0),
        q("🙂").count(0, 0),
        q("'; DROP TABLE providers; --").count(0, 30),
        q("../../etc/passwd").corrected("pass").count(0, 30),
    ];
    let (_dir, bundle) = bundle_of_wiki(crate::harness::manifest_dir());
    let problems = run_queries(&bundle, &queries);
    assert!(problems.is_empty(), "{} of {} queries:\n{}", problems.len(), queries.len(), problems.join("\n"));
}

#[test]
fn reader_queries_find_the_expected_results_on_a_generated_wiki_of_1000_dossiers() {
    let queries = [
        q("Gartor").top(&["Gartor DNS", "Gartor Mailbox", "Gartor Resolve", "Gartor Tunnel"]),
        q("Gartor Tunnel").first("Gartor Tunnel"),
        q("bara").first("Bara Storage"),
        q("baex").top(&["Baex Nodes", "Baexzu Inbox"]),
        q("anjun").top(&["Anjun Buckets", "Anjun Cache"]),
        q("anjunwen keep").first("Anjunwen Keep"),
        q("Juntorti Buckets").first("Juntorti Buckets"),
        q("transparency report").claim("Juntorti Buckets", "c07").count(500, 1000),
        q("\"transparency report\"").count(500, 1000),
        q("dkmi").corrected("dkim").count(500, 1000),
        q("transperency").corrected("transparency").count(500, 1000),
        q("DE").place("DE").count(41, 41),
        q("de").place("DE").count(41, 41),
        q("Germany").place("DE").count(41, 41),
        q("mail DE").place("DE").count(1, 41),
        q("IT").place("IT").count(37, 37),
        q("is it encrypted").count(100, 1000),
        q("New Zealand").place("NZ").count(35, 35),
    ];
    let corpus =
        crate::corpus::generate(1000, crate::corpus::generator::Flavor::Dossier, Some(crate::harness::manifest_dir()));
    let (_dir, bundle) = bundle_of_wiki(corpus.path());
    let problems = run_queries(&bundle, &queries);
    assert!(problems.is_empty(), "{} of {} queries:\n{}", problems.len(), queries.len(), problems.join("\n"));
}
