//! The HTTP seam (ureq, blocking): fetches many URLs from a small pool of threads, never more
//! than [`Settings::per_host`] at once from one host, each with a timeout and retried with
//! exponential backoff when the failure may pass (timeouts, dropped connections, 429, 5xx).

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use super::cache::Outcome;
use super::page;

/// Pages are read up to this size for quote matching; a quote sits near the top of any page.
const MAX_PAGE_BYTES: u64 = 5 * 1024 * 1024;

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For one attempt at one URL, redirects and body included.
    pub timeout: Duration,
    pub user_agent: String,
    /// Further attempts after a failure that may pass.
    pub retries: u32,
    /// The wait before the first retry; it doubles each time.
    pub backoff: Duration,
    pub workers: usize,
    pub per_host: usize,
}

/// A URL to fetch, and whether its text is wanted (to look for quotes).
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub want_text: bool,
}

/// What a fetch found: the outcome, and the normalised page text when it was wanted.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub outcome: Outcome,
    pub text: Option<String>,
}

/// The work shared by the threads: what is waiting, how busy each host is, what is done.
struct Queue {
    pending: VecDeque<Request>,
    busy: HashMap<String, usize>,
    done: Vec<(String, Fetched)>,
}

/// Fetches every request and returns the results, calling `on_done` with each URL as it ends.
pub fn fetch_all(
    requests: Vec<Request>,
    settings: &Settings,
    on_done: &(dyn Fn(&str) + Sync),
) -> Vec<(String, Fetched)> {
    let agent = agent(settings);
    let workers = settings.workers.clamp(1, requests.len().max(1));
    let queue = Mutex::new(Queue { pending: requests.into(), busy: HashMap::new(), done: Vec::new() });
    let ready = Condvar::new();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(&queue, &ready, &agent, settings, on_done));
        }
    });
    let mut done = queue.into_inner().unwrap_or_else(PoisonError::into_inner).done;
    done.sort_by(|a, b| a.0.cmp(&b.0));
    done
}

/// One worker: take a request whose host has room, fetch it, repeat until nothing is left.
fn work(
    queue: &Mutex<Queue>,
    ready: &Condvar,
    agent: &ureq::Agent,
    settings: &Settings,
    on_done: &(dyn Fn(&str) + Sync),
) {
    let lock = || queue.lock().unwrap_or_else(PoisonError::into_inner);
    let mut state = lock();
    loop {
        let free = state
            .pending
            .iter()
            .position(|r| state.busy.get(&host_of(&r.url)).copied().unwrap_or(0) < settings.per_host);
        if let Some(request) = free.and_then(|i| state.pending.remove(i)) {
            let host = host_of(&request.url);
            *state.busy.entry(host.clone()).or_default() += 1;
            drop(state);
            let fetched = fetch_one(agent, &request, settings);
            on_done(&request.url);
            state = lock();
            if let Some(n) = state.busy.get_mut(&host) {
                *n -= 1;
            }
            state.done.push((request.url, fetched));
            ready.notify_all();
        } else if state.pending.is_empty() {
            return;
        } else {
            state = ready.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// `host:port`, the unit the per-host limit counts.
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_default()
}

fn agent(settings: &Settings) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Statuses are read, not raised, so a 404 and a 503 can be told apart.
        .http_status_as_error(false)
        .user_agent(settings.user_agent.as_str())
        .accept("text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8")
        .timeout_global(Some(settings.timeout))
        .max_redirects(10)
        .build()
        .into()
}

/// What one attempt came to: a final answer, or a failure worth another try.
enum Attempt {
    Done(Fetched),
    Retry(String),
}

fn dead(reason: impl Into<String>) -> Attempt {
    Attempt::Done(Fetched { outcome: Outcome::Dead { reason: reason.into() }, text: None })
}

/// Fetches one URL, retrying with a doubling wait while the failure may pass. The request keeps
/// its host's slot while it waits, so a struggling host gets no extra load meanwhile.
fn fetch_one(agent: &ureq::Agent, request: &Request, settings: &Settings) -> Fetched {
    let mut wait = settings.backoff;
    let mut attempt = 0;
    loop {
        match attempt_once(agent, request) {
            Attempt::Done(fetched) => return fetched,
            Attempt::Retry(reason) if attempt >= settings.retries => {
                let tries = if attempt == 0 { "1 try".to_owned() } else { format!("{} tries", attempt + 1) };
                return Fetched { outcome: Outcome::Dead { reason: format!("{reason} ({tries})") }, text: None };
            }
            Attempt::Retry(_) => {
                std::thread::sleep(wait);
                wait *= 2;
                attempt += 1;
            }
        }
    }
}

fn attempt_once(agent: &ureq::Agent, request: &Request) -> Attempt {
    let mut response = match agent.get(&request.url).call() {
        Ok(response) => response,
        Err(error) => return classify(error),
    };
    let status = response.status();
    if status.as_u16() >= 400 {
        let reason = match status.canonical_reason() {
            Some(words) => format!("HTTP {} {words}", status.as_u16()),
            None => format!("HTTP {}", status.as_u16()),
        };
        let passing = matches!(status.as_u16(), 408 | 425 | 429) || status.is_server_error();
        return if passing { Attempt::Retry(reason) } else { dead(reason) };
    }
    let readable =
        response.body().mime_type().is_none_or(|m| m.starts_with("text/") || m.contains("html") || m.contains("xml"));
    let mut text = None;
    if request.want_text && readable {
        let mut bytes = Vec::new();
        if let Err(error) = response.body_mut().as_reader().take(MAX_PAGE_BYTES).read_to_end(&mut bytes) {
            return Attempt::Retry(format!("the page stopped arriving: {error}"));
        }
        text = Some(page::page_text(&String::from_utf8_lossy(&bytes)));
    }
    Attempt::Done(Fetched { outcome: Outcome::Live { status: status.as_u16(), readable }, text })
}

/// Sorts a transport failure into one worth retrying or a final answer, in words.
fn classify(error: ureq::Error) -> Attempt {
    match error {
        ureq::Error::Timeout(_) => Attempt::Retry("no answer before the timeout".into()),
        ureq::Error::Io(io) => Attempt::Retry(format!("the connection failed: {io}")),
        ureq::Error::ConnectionFailed => Attempt::Retry("the connection failed".into()),
        ureq::Error::HostNotFound => dead("DNS: the host name does not resolve"),
        ureq::Error::TooManyRedirects => dead("too many redirects (a redirect loop?)"),
        ureq::Error::Tls(detail) => dead(format!("TLS: {detail}")),
        ureq::Error::Rustls(detail) => dead(format!("TLS: {detail}")),
        other => dead(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_count_with_their_port() {
        assert_eq!(host_of("https://a.test/x"), "a.test:443");
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(host_of("not a url"), "");
    }

    #[test]
    fn failures_are_sorted_into_final_and_passing() {
        assert!(matches!(classify(ureq::Error::HostNotFound), Attempt::Done(_)));
        assert!(matches!(classify(ureq::Error::TooManyRedirects), Attempt::Done(_)));
        assert!(matches!(classify(ureq::Error::ConnectionFailed), Attempt::Retry(_)));
        let Attempt::Done(f) = classify(ureq::Error::HostNotFound) else { unreachable!() };
        assert_eq!(f.outcome, Outcome::Dead { reason: "DNS: the host name does not resolve".into() });
    }
}
