//! Load and validate micro-benchmarks over a generated 1,000-dossier wiki: a whole load, the
//! rules, the JSON report, and what `serve` pays per edit (one file re-read, the rules re-run
//! from the cache). Whole `dossier check` runs at 10,000 dossiers are timed by hand (scripts/bench.sh, docs/performance.md).
//!
//! ```sh
//! cargo bench --bench load                   # all
//! cargo bench --bench load -- edit           # those whose name contains edit
//! ```

#[allow(dead_code)] // the generator's API serves the example and the test suite too
#[path = "support/corpus/mod.rs"]
mod corpus;
#[path = "support/wiki.rs"]
mod wiki;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use dossier::site::load_site;
use dossier::validate::{ValidateCache, validate, validate_cached};

const DOSSIERS: usize = 1000;

fn load(c: &mut Criterion) {
    let dir = wiki::generate(DOSSIERS);
    let root = dir.path();
    let mut site = load_site(root).expect("load the wiki");
    let findings = validate(&site, wiki::today());

    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("load_site", |b| b.iter(|| load_site(black_box(root)).expect("load")));
    group.bench_function("validate", |b| b.iter(|| validate(black_box(&site), wiki::today()).len()));
    group.bench_function("print_json", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            dossier::diagnostics::print_json(&mut out, black_box(&findings)).expect("print");
            out.len()
        })
    });
    group.finish();

    // One edit as serve sees it: the file is rewritten, re-read, and the rules re-run.
    let slug = site.dossiers.keys().next().expect("a dossier").clone();
    let rel = PathBuf::from(format!("content/providers/{slug}.md"));
    let text = std::fs::read_to_string(root.join(&rel)).expect("read a dossier");
    let changed: BTreeSet<PathBuf> = [rel.clone()].into_iter().collect();
    let mut cache = ValidateCache::default();
    let _ = validate_cached(&site, wiki::today(), &mut cache);
    let mut group = c.benchmark_group("edit");
    let mut round = 0_u64;
    group.bench_function("reload_and_validate_cached", |b| {
        b.iter(|| {
            round += 1;
            let edited = text.replacen("\n---\n", &format!("\n---\nEdit {round}.\n"), 1);
            std::fs::write(root.join(&rel), edited).expect("write the edit");
            site.reload(&changed).expect("reload");
            validate_cached(&site, wiki::today(), &mut cache).errors().len()
        })
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
