//! `dossier serve`'s machinery: a preview rebuilt on every edit and served from memory.
//!
//! Three parts, each in its own file: `watch` (notify) reports change sets, `preview` rebuilds
//! synchronously on a thread of its own, and `http` (axum on tokio) serves the newest snapshot
//! and pushes reloads. Async stays in this module.

mod compressed;
mod http;
mod preview;
pub mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, mpsc};

use anyhow::Context;
use rayon::prelude::*;
use tokio::sync::broadcast;

use crate::diagnostics::{Counts, Diagnostic, FileSources, Verdict, print_human};
use crate::model::Date;
use crate::render::Settings;
pub use http::resolve;
use http::{AppState, Push, RELOAD_SCRIPT};
pub use preview::{Outcome, Preview, Snapshot};
use watch::ChangeSet;

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    pub poll: bool,
    /// The parse cache's folder (build's cache folder); `None` parses every file.
    pub cache_dir: Option<PathBuf>,
}

/// How many ports after the requested one are tried when it is taken.
const PORT_ATTEMPTS: u16 = 20;

/// Runs the preview until Ctrl-C.
pub fn serve(options: &ServeOptions, today: Date) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let listener = runtime.block_on(bind(options.bind, options.port))?;
    let address = listener.local_addr().context("cannot read the bound address")?;
    let url = format!("http://{address}/");
    // The history a build kept is read, never written: the preview leaves the cache as it was.
    let walked = options.cache_dir.as_deref().map(crate::cache::history);
    let history = crate::history::load(&options.root, walked.as_ref().map(|m| m as &dyn crate::memo::Memo));
    let settings = Settings {
        today,
        base_url: Some(url.clone()),
        drafts: true,
        edited: history.edited.clone(),
        history: Arc::new(history),
        pending_base: Some(Arc::new(crate::history::head_versions(&options.root))),
        noindex: true,
        reload_script: Some(RELOAD_SCRIPT.to_owned()),
        minify: true,
    };
    let (mut preview, outcome) = Preview::start(&options.root, options.cache_dir.as_deref(), today, settings)?;
    let mut terminal = Terminal::default();
    terminal.report(&options.root, &preview, &outcome);
    let snapshot = Arc::new(RwLock::new(preview.snapshot().clone()));
    let (search_tx, search_rx) = mpsc::channel();
    let _ = search_tx.send(preview.search_records());
    let indexed = Arc::clone(&snapshot);
    std::thread::Builder::new()
        .name("dossier-search".into())
        .spawn(move || search_loop(&search_rx, &indexed))
        .context("cannot start the search thread")?;
    let (pushes, _) = broadcast::channel(64);
    let (changes_tx, changes_rx) = mpsc::channel::<ChangeSet>();
    let _watching = watch::watch(&options.root, options.poll, move |changes| {
        let _ = changes_tx.send(changes);
    })?;
    let shared = Arc::clone(&snapshot);
    let push = pushes.clone();
    let root = options.root.clone();
    std::thread::Builder::new()
        .name("dossier-rebuild".into())
        .spawn(move || rebuild_loop(&root, &mut preview, &mut terminal, &changes_rx, &shared, &push, &search_tx))
        .context("cannot start the rebuild thread")?;
    println!("serving {} at {url} (Ctrl-C to stop)", options.root.display());
    if options.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    let app = http::router(AppState { snapshot, pushes: pushes.clone() });
    runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = pushes.send(Push::Stop);
            })
            .await
    })?;
    println!("stopped");
    Ok(())
}

/// Binds `port`, or the next free one when it is taken (saying so).
async fn bind(ip: IpAddr, port: u16) -> anyhow::Result<tokio::net::TcpListener> {
    let mut last_error = None;
    for offset in 0..PORT_ATTEMPTS {
        let candidate = if port == 0 { 0 } else { port.saturating_add(offset) };
        match tokio::net::TcpListener::bind(SocketAddr::new(ip, candidate)).await {
            Ok(listener) => {
                if offset > 0 {
                    eprintln!("port {port} is in use; using {candidate}");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 => last_error = Some(e),
            Err(e) => return Err(e).with_context(|| format!("cannot listen on {ip}:{candidate}")),
        }
    }
    let error = last_error.map_or_else(|| "no attempt made".to_owned(), |e| e.to_string());
    anyhow::bail!(
        "ports {port} to {} on {ip} are all in use ({error}); pass --port",
        port.saturating_add(PORT_ATTEMPTS - 1)
    )
}

/// Applies change sets as they come, coalescing bursts, until the watcher goes away.
fn rebuild_loop(
    root: &std::path::Path,
    preview: &mut Preview,
    terminal: &mut Terminal,
    changes: &mpsc::Receiver<ChangeSet>,
    shared: &RwLock<Snapshot>,
    pushes: &broadcast::Sender<Push>,
    search: &mpsc::Sender<SearchJob>,
) {
    let mut search_stale = false;
    loop {
        // The search index is rebuilt only once edits pause: indexing a large wiki takes
        // seconds, and pages must not wait for it.
        let next = if search_stale { changes.recv_timeout(SEARCH_QUIET) } else { changes.recv().map_err(Into::into) };
        let mut batch = match next {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = search.send(preview.search_records());
                search_stale = false;
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        while let Ok(more) = changes.try_recv() {
            batch.merge(more);
        }
        let outcome = match preview.apply(&batch) {
            Ok(outcome) => outcome,
            Err(error) => {
                eprintln!("dossier: error: {error:#}");
                continue;
            }
        };
        {
            let mut guard = shared.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            *guard = with_search_files_of(preview.snapshot(), &guard);
        }
        let _ = pushes.send(if matches!(outcome, Outcome::StylesRebuilt { .. }) { Push::Styles } else { Push::Reload });
        search_stale |= !matches!(outcome, Outcome::Failed { .. });
        terminal.report(root, preview, &outcome);
    }
}

/// How long edits must pause before the search index is rebuilt.
const SEARCH_QUIET: std::time::Duration = std::time::Duration::from_millis(750);

/// Records to index, and their language.
type SearchJob = (Vec<crate::search::Record<'static>>, String);

/// A new snapshot of pages that keeps serving the search index of `current` until the search
/// thread has indexed the new pages (a search index that lags an edit by its indexing time).
fn with_search_files_of(next: &Snapshot, current: &Snapshot) -> Snapshot {
    Snapshot { search: Arc::clone(&current.search), ..next.clone() }
}

/// Indexes the newest records whenever the pages change, and swaps the bundle into the served
/// snapshot. The previous bundle's files stay too, so a page that loaded it keeps searching.
fn search_loop(jobs: &mpsc::Receiver<SearchJob>, shared: &RwLock<Snapshot>) {
    let mut live: BTreeSet<String> = BTreeSet::new();
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let (records, language) = job;
        let bundle = match crate::search::index_records(records, language) {
            Ok(bundle) => bundle,
            Err(error) => {
                eprintln!("dossier: search index not updated: {error:#}");
                continue;
            }
        };
        // Compressed before taking the lock: readers wait only for the swap.
        let mut search: BTreeMap<String, Arc<[u8]>> =
            bundle.into_par_iter().map(|(path, bytes)| (path, Arc::from(compressed::compress(bytes)))).collect();
        let mut guard = shared.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let newest: Vec<String> = search.keys().cloned().collect();
        for (path, bytes) in guard.search.iter().filter(|(p, _)| live.contains(*p)) {
            search.entry(path.clone()).or_insert_with(|| Arc::clone(bytes));
        }
        guard.search = Arc::new(search);
        live = newest.into_iter().collect();
    }
}

/// What the terminal was last shown of the warnings and notes, so they are listed again only
/// when they change.
#[derive(Default)]
struct Terminal {
    notices: Arc<[Diagnostic]>,
}

impl Terminal {
    /// Prints how a rebuild went: its errors, or the warnings and notes when they changed,
    /// and the counts as `check` would report them.
    fn report(&mut self, root: &std::path::Path, preview: &Preview, outcome: &Outcome) {
        let snapshot = preview.snapshot();
        let verdict =
            Verdict { counts: Counts::of(snapshot.errors.iter().chain(snapshot.notices.iter())), ..Verdict::default() };
        let listed = match outcome {
            Outcome::Failed { .. } => &snapshot.errors[..],
            _ if snapshot.notices[..] != self.notices[..] => &snapshot.notices[..],
            _ => &[],
        };
        if !listed.is_empty() {
            let mut stderr = std::io::stderr().lock();
            let _ = print_human(&mut stderr, listed, &mut FileSources::new(root), false, &verdict);
        }
        self.notices = Arc::clone(&snapshot.notices);
        let counts = verdict.counts.summary();
        match outcome {
            Outcome::Rebuilt { elapsed, pages } => println!("rebuilt {pages} pages in {elapsed:.1?}; {counts}"),
            Outcome::StylesRebuilt { elapsed } => println!("restyled in {elapsed:.1?}; {counts}"),
            Outcome::Failed { errors } => eprintln!("{errors} problem(s): still serving the last good pages"),
        }
    }
}
