//! The benchmark corpus: a deterministic synthetic wiki of provider dossiers, written as a
//! `dossier` wiki or as the same documents in a Hugo site, for side-by-side builds.
//!
//! Shared by `examples/gen_corpus.rs` (the command line), `benches/stages.rs` and the
//! integration test `tests/testsuite/corpus.rs`, each of which includes it with `#[path]`; it
//! uses the standard library only, so it needs nothing from the crate it benchmarks. Document
//! `i` depends only on the seed and `i`: runs are byte-identical, and the first 1,000 files of
//! a 10,000 corpus are the 1,000 corpus.

mod code;
mod document;
pub mod history;
mod random;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use document::{CATEGORIES, Document, make_document};
use random::Vocabulary;

/// Which site the documents are written into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `content/providers/<slug>.md` in the dossier schema, with settings and categories.
    Dossier,
    /// A Hugo site: `config.toml`, `layouts/`, pages with taxonomies in the frontmatter.
    Hugo,
}

impl Flavor {
    pub fn parse(text: &str) -> Option<Flavor> {
        match text {
            "dossier" => Some(Flavor::Dossier),
            "hugo" => Some(Flavor::Hugo),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Dossier => "dossier",
            Flavor::Hugo => "hugo",
        }
    }
}

/// What to generate, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub n: usize,
    pub seed: String,
    pub out: PathBuf,
    pub flavor: Flavor,
    /// Dossier flavor: a wiki root whose `content/` (all but `providers/`) and `themes/` are
    /// copied, and whose `content/categories/*.md` the dossiers are spread over.
    pub scaffold_from: Option<PathBuf>,
    /// Hugo flavor: a directory with `config.toml` and `layouts/` to copy instead of the
    /// built-in copy of `benches/support/hugo/`.
    pub hugo_scaffold: Option<PathBuf>,
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub documents: usize,
    pub body_words: usize,
}

/// Writes the corpus into `options.out`, which must be empty or absent.
pub fn generate(options: &Options) -> io::Result<Summary> {
    fs::create_dir_all(&options.out)?;
    if fs::read_dir(&options.out)?.next().is_some() {
        return Err(io::Error::other(format!("{} is not empty", options.out.display())));
    }
    let categories = match (options.flavor, &options.scaffold_from) {
        (Flavor::Dossier, Some(root)) => scaffold_from_wiki(root, &options.out)?,
        (Flavor::Dossier, None) => default_scaffold(&options.out)?,
        (Flavor::Hugo, _) => hugo_scaffold(options.hugo_scaffold.as_deref(), &options.out)?,
    };
    let vocab = Vocabulary::new();
    let providers = options.out.join("content/providers");
    fs::create_dir_all(&providers)?;
    let mut body_words = 0;
    for i in 0..options.n {
        let doc = document(options, &categories, &vocab, i);
        body_words += doc.body.split_whitespace().count();
        fs::write(providers.join(format!("{}.md", doc.slug)), render(&doc, options.flavor))?;
    }
    Ok(Summary { documents: options.n, body_words })
}

/// Document `i` as `generate` writes it: spread over `categories` when there are any.
fn document(options: &Options, categories: &[String], vocab: &Vocabulary, i: usize) -> Document {
    let mut doc = make_document(vocab, &options.seed, i);
    if !categories.is_empty() {
        doc.category = categories[i % categories.len()].clone();
    }
    doc
}

/// The categories a written corpus spread its dossiers over (none for Hugo's).
fn categories_of(out: &Path, flavor: Flavor) -> Vec<String> {
    if flavor == Flavor::Hugo {
        return Vec::new();
    }
    let mut categories: Vec<String> = fs::read_dir(out.join("content/categories"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.strip_suffix(".md").map(str::to_owned))
        .collect();
    categories.sort();
    categories
}

/// The file text of one document in `flavor`.
fn render(doc: &Document, flavor: Flavor) -> String {
    let mut fm = Vec::new();
    let mut body = doc.body.clone();
    match flavor {
        Flavor::Dossier => {
            fm.push(format!("name: {}", quote(&doc.name)));
            fm.push(format!("website: {}", quote(&doc.website)));
            fm.push(format!("category: {}", quote(&doc.category)));
            fm.push(format!("tags: {}", flow(&doc.tags)));
            fm.push(format!("jurisdiction: {}", quote(&doc.jurisdiction.to_ascii_uppercase())));
            fm.push(format!("summary: {}", quote(&doc.summary)));
            // Contributors cite the first claims inline, after the first paragraph.
            let cites: String = doc.claims.iter().take(3).map(|c| format!("[^{}]", c.id)).collect();
            if let Some((head, rest)) = doc.body.split_once("\n\n") {
                let rest = rest.replacen("\n\n", &format!(" Sources are listed below.{cites}\n\n"), 1);
                body = format!("{head}\n\n{rest}");
            }
        }
        Flavor::Hugo => {
            fm.push(format!("title: {}", quote(&doc.name)));
            fm.push(format!("description: {}", quote(&doc.summary)));
            fm.push(format!("categories: {}", flow(&[doc.category.as_str()])));
            fm.push(format!("tags: {}", flow(&doc.tags)));
            fm.push(format!("jurisdictions: {}", flow(&[doc.jurisdiction])));
            fm.push(format!("website: {}", quote(&doc.website)));
        }
    }
    fm.push("claims:".to_owned());
    for claim in &doc.claims {
        fm.push(format!("  - id: {}", quote(&claim.id)));
        fm.push(format!("    text: {}", quote(&claim.text)));
        fm.push(format!("    status: {}", quote(claim.status)));
        fm.push(format!("    verified: {}", quote(&claim.verified)));
        fm.push("    sources:".to_owned());
        for s in &claim.sources {
            fm.push(format!("      - url: {}", quote(&s.url)));
            let fields = [
                ("title", s.title.as_str()),
                ("publisher", s.publisher),
                ("accessed", &s.accessed),
                ("archive", &s.archive),
            ];
            for (key, value) in fields {
                fm.push(format!("        {key}: {}", quote(value)));
            }
        }
    }
    format!("---\n{}\n---\n\n{body}", fm.join("\n"))
}

/// A YAML double-quoted scalar (a JSON string, which YAML reads the same).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || !c.is_ascii() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn flow(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", "))
}

/// Copies `root`'s settings, categories and pages (not its providers) and its themes; returns
/// the category slugs, sorted.
fn scaffold_from_wiki(root: &Path, out: &Path) -> io::Result<Vec<String>> {
    let content = root.join("content");
    copy_tree(&content, &out.join("content"), &|rel| rel.starts_with("providers"))?;
    if root.join("themes").is_dir() {
        copy_tree(&root.join("themes"), &out.join("themes"), &|_| false)?;
    }
    let mut categories = Vec::new();
    if let Ok(entries) = fs::read_dir(content.join("categories")) {
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".md") {
                categories.push(stem.to_owned());
            }
        }
    }
    categories.sort();
    Ok(categories)
}

/// Settings, a home page and the eight corpus categories, so the corpus checks on its own.
fn default_scaffold(out: &Path) -> io::Result<Vec<String>> {
    let content = out.join("content");
    fs::create_dir_all(content.join("categories"))?;
    fs::write(
        content.join("site.yaml"),
        "title: Vendor dossiers\ndescription: A synthetic wiki for benchmarks.\nbase_url: https://wiki.example.org/\n",
    )?;
    fs::write(
        content.join("index.md"),
        "---\ntitle: Vendor dossiers\ndescription: Sourced dossiers on hosting providers.\n---\nSourced dossiers on hosting providers.\n",
    )?;
    for slug in CATEGORIES {
        let name = slug.replace('-', " ");
        let text =
            format!("---\nname: {}\ndescription: {}\n---\n", quote(&name), quote(&format!("Providers of {name}.")));
        fs::write(content.join("categories").join(format!("{slug}.md")), text)?;
    }
    Ok(CATEGORIES.iter().map(|c| (*c).to_owned()).collect())
}

/// The Hugo peer site, built in (`benches/support/hugo/`) unless `from` is given.
const HUGO_FILES: [(&str, &str); 7] = [
    ("config.toml", include_str!("../hugo/config.toml")),
    ("layouts/index.html", include_str!("../hugo/layouts/index.html")),
    ("layouts/_default/baseof.html", include_str!("../hugo/layouts/_default/baseof.html")),
    ("layouts/_default/list.html", include_str!("../hugo/layouts/_default/list.html")),
    ("layouts/_default/single.html", include_str!("../hugo/layouts/_default/single.html")),
    ("layouts/_default/taxonomy.html", include_str!("../hugo/layouts/_default/taxonomy.html")),
    ("layouts/_default/term.html", include_str!("../hugo/layouts/_default/term.html")),
];

/// Writes Hugo's config and layouts and the providers section; the categories stay random.
fn hugo_scaffold(from: Option<&Path>, out: &Path) -> io::Result<Vec<String>> {
    match from {
        Some(dir) => copy_tree(dir, out, &|_| false)?,
        None => {
            for (rel, text) in HUGO_FILES {
                let path = out.join(rel);
                fs::create_dir_all(path.parent().unwrap_or(out))?;
                fs::write(path, text)?;
            }
        }
    }
    fs::create_dir_all(out.join("content/providers"))?;
    fs::write(out.join("content/providers/_index.md"), "---\ntitle: \"Providers\"\n---\n")?;
    Ok(Vec::new())
}

/// Copies the files under `from` to `to`, skipping paths (relative to `from`) that `skip` names.
fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> io::Result<()> {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        fs::create_dir_all(to.join(&rel))?;
        for entry in fs::read_dir(from.join(&rel))? {
            let entry = entry?;
            let inner = rel.join(entry.file_name());
            if skip(&inner) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                stack.push(inner);
            } else {
                fs::copy(entry.path(), to.join(&inner))?;
            }
        }
    }
    Ok(())
}
