//! Stage micro-benchmarks over a generated 200-dossier wiki: load, validate, one body's
//! Markdown, one code block's highlighting, one page's minification, the whole render (cold
//! and from the cache) and the search index. Whole builds, Hugo beside them, are timed by
//! `scripts/bench.sh`.
//!
//! ```sh
//! cargo bench --bench stages                 # all
//! cargo bench --bench stages -- render_body  # those whose name contains render_body
//! ```

#[allow(dead_code)] // the generator's API serves the example and the test suite too
#[path = "support/corpus/mod.rs"]
mod corpus;
#[path = "support/wiki.rs"]
mod wiki;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use dossier::markdown::{BodyContext, render_body};
use dossier::render::highlight::highlight;
use dossier::render::{RenderCache, Settings, Theme, render_site};
use dossier::site::{Site, load_site};

const DOSSIERS: usize = 200;

fn settings() -> Settings {
    Settings {
        today: wiki::today(),
        base_url: None,
        drafts: false,
        edited: BTreeMap::new(),
        history: Default::default(),
        pending_base: None,
        noindex: false,
        reload_script: None,
        minify: true,
    }
}

fn theme(root: &Path) -> Theme {
    match Theme::load(root, "default") {
        Ok(theme) => theme,
        Err(problem) => panic!("the theme does not load: {}", problem.message),
    }
}

/// The first fenced code block of `body`: its language and code.
fn first_code_block(body: &str) -> (String, String) {
    let start = body.find("```").expect("every generated body has a code block") + 3;
    let (lang, rest) = body[start..].split_once('\n').expect("a fence line");
    let code = &rest[..rest.find("\n```").expect("a closing fence") + 1];
    (lang.to_owned(), code.to_owned())
}

fn stages(c: &mut Criterion) {
    let dir = wiki::generate(DOSSIERS);
    let root = dir.path();
    let site: Site = load_site(root).expect("load the wiki");
    let dossier = site.dossiers.values().next().expect("a dossier");
    let body = dossier.body.text.as_str();
    let claim_ids: Vec<&str> = dossier.meta.claims.iter().map(|claim| claim.id.as_str()).collect();
    let (lang, code) = first_code_block(body);
    let mut theme = theme(root);
    let settings = settings();
    let built = match render_site(&site, &mut theme, &settings, &mut RenderCache::default()) {
        Ok(built) => built,
        Err(problems) => {
            panic!("the wiki does not render: {:?}", problems.iter().map(|p| &p.message).collect::<Vec<_>>())
        }
    };
    let page_path = format!("providers/{}/index.html", dossier.slug);
    let page = built.files[&page_path].to_vec();
    let page = String::from_utf8(page).expect("a UTF-8 page");

    let mut group = c.benchmark_group("site");
    group.sample_size(10);
    group.bench_function("load_site", |b| b.iter(|| load_site(black_box(root)).expect("load")));
    group.bench_function("validate", |b| b.iter(|| dossier::validate::validate(black_box(&site), wiki::today())));
    group.bench_function("render_site_cold", |b| {
        b.iter(|| render_site(&site, &mut theme, &settings, &mut RenderCache::default()).map(|o| o.files.len()))
    });
    let mut warm = RenderCache::default();
    let _ = render_site(&site, &mut theme, &settings, &mut warm);
    group.bench_function("render_site_cached", |b| {
        b.iter(|| render_site(&site, &mut theme, &settings, &mut warm).map(|o| o.files.len()))
    });
    group.bench_function("search_index", |b| {
        b.iter(|| {
            dossier::search::index_site(&site, &dossier::search::Scope::published("/", wiki::today()), None)
                .expect("index")
                .len()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("page");
    group.bench_function("render_body", |b| {
        let cx =
            BodyContext { claim_ids: &claim_ids, base_path: "/", highlight: &highlight, is_reserved_id: &|_| false };
        b.iter(|| render_body(black_box(body), &cx))
    });
    group.bench_function(format!("highlight_{lang}"), |b| b.iter(|| highlight(Some(&lang), black_box(&code))));
    // The page as built is minified already; the minifier makes one pass over a document either
    // way, so this is the per-page cost on a page of the real size and structure.
    group.bench_function("minify_page", |b| b.iter(|| dossier::minify::minify_page(black_box(&page))));
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
