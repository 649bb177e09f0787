//! The client side of the serve tests: the real `dossier serve` as a child process whose output
//! is collected as it comes, a tiny HTTP/1.1 client on `TcpStream` (paths go out byte for byte,
//! so `/../x` and `%2e%2e` are not normalised away), and a reader of the reload event stream.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::harness::TODAY;

/// How long any expected state may take to appear (generous: the suite runs in parallel).
pub const PATIENCE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(20);
pub const OVERLAY: &str = "id=\"dossier-overlay\"";

/// A running `dossier serve`, killed when dropped; its output is collected as it comes.
pub struct Server {
    child: Child,
    pub port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `dossier serve --root <root> --port 0` and waits for its `serving` line.
    pub fn start(root: &Path) -> Server {
        Server::start_with(root, &["--port", "0"])
    }

    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(args)
            .env("DOSSIER_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dossier serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            collect(child.stdout.take().expect("piped stdout"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("piped stderr"), Arc::clone(&stderr)),
        ];
        let mut server = Server { child, port: 0, stdout, stderr, readers };
        let line = server.wait_for("the `serving` line", |s| {
            s.stdout().lines().find(|l| l.starts_with("serving ") && l.ends_with("(Ctrl-C to stop)")).map(str::to_owned)
        });
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no 127.0.0.1 URL in {line:?}"));
        server.port = port;
        server
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout lock").clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// Polls `probe` until it yields a value, failing with both streams after [`PATIENCE`].
    #[track_caller]
    pub fn wait_for<T>(&mut self, what: &str, mut probe: impl FnMut(&Server) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = probe(self) {
                return value;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("dossier serve exited ({status}) while waiting for {what}\n{}", self.streams());
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}\n{}", self.streams());
            std::thread::sleep(POLL);
        }
    }

    /// Polls `path` until its response satisfies `ok`, and returns that response.
    #[track_caller]
    pub fn wait_for_page(&mut self, path: &str, what: &str, ok: impl Fn(&Response) -> bool) -> Response {
        let port = self.port;
        self.wait_for(&format!("{path} to show {what}"), |_| Some(get(port, path)).filter(&ok))
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    /// How many rebuilds the server has reported, good or bad.
    pub fn outcomes(&self) -> usize {
        let out = self.stdout();
        let err = self.stderr();
        out.lines().filter(|l| l.starts_with("rebuilt ") || l.starts_with("restyled ")).count()
            + err
                .lines()
                .filter(|l| l.ends_with("still serving the last good pages") || l.starts_with("dossier: error:"))
                .count()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGINT (Ctrl-C) and waits for the process to end.
    pub fn interrupt(mut self) -> (ExitStatus, String, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().expect("run kill");
        assert!(sent.success(), "kill -INT {pid} failed");
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll dossier serve") {
                break status;
            }
            assert!(Instant::now() < deadline, "still running after SIGINT\n{}", self.streams());
            std::thread::sleep(POLL);
        };
        // The pipes are closed now: let the readers take in the last lines.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        (status, self.stdout(), self.stderr())
    }

    pub fn streams(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout(), self.stderr())
    }

    /// Fails on a panic message, and on an exit: the server never dies on bad content.
    #[track_caller]
    pub fn assert_alive(&mut self) {
        assert!(self.is_running(), "dossier serve died\n{}", self.streams());
        assert!(!self.stderr().contains("panicked"), "dossier serve panicked\n{}", self.streams());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        // Bytes, not `read_line`: a diagnostic may quote a file that is not UTF-8.
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            into.lock().expect("stream lock").push_str(&String::from_utf8_lossy(&line));
            line.clear();
        }
    })
}

/// One HTTP response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    pub fn has_overlay(&self) -> bool {
        self.has(OVERLAY)
    }
}

/// `GET raw_path` over HTTP/1.1 with `Connection: close`; the path goes out byte for byte.
pub fn get(port: u16, raw_path: &str) -> Response {
    get_with(port, raw_path, "")
}

/// [`get`] with more header lines (each ending in CRLF). A gzip body is inflated.
pub fn get_with(port: u16, raw_path: &str, headers: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to dossier serve");
    stream.set_read_timeout(Some(PATIENCE)).expect("set a read timeout");
    let request = format!("GET {raw_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status_line = lines.next().expect("a status line");
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status code");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    if headers.get("content-encoding").is_some_and(|v| v == "gzip") {
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut inflated).expect("a gzip body");
        body = inflated;
    }
    Response { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&body[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
    out
}

/// An open `/__dossier/events` stream, read as raw text.
pub struct Events {
    stream: TcpStream,
    text: String,
}

impl Events {
    /// Connects and waits for the response head, so the subscription exists before any edit.
    pub fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to dossier serve");
        stream.set_read_timeout(Some(POLL)).expect("set a read timeout");
        let request =
            format!("GET /__dossier/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send the request");
        let mut events = Events { stream, text: String::new() };
        events.read_until(|text| text.contains("\r\n\r\n"));
        let head = events.text.lines().next().unwrap_or("").to_owned();
        assert!(head.contains(" 200 "), "events answered {head:?}");
        assert!(events.text.to_ascii_lowercase().contains("content-type: text/event-stream"), "{}", events.text);
        events
    }

    /// The number of `event: reload` messages carrying `data`, once it exceeds `seen`.
    pub fn wait_for_reload(&mut self, data: &str, seen: usize) -> usize {
        let needle = format!("event: reload\ndata: {data}\n");
        self.read_until(|text| text.matches(&needle).count() > seen);
        self.text.matches(&needle).count()
    }

    fn read_until(&mut self, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        while !done(&self.text) {
            assert!(Instant::now() < deadline, "timed out reading events; got:\n{}", self.text);
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed; got:\n{}", self.text),
                Ok(n) => self.text.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading events failed: {e}"),
            }
        }
    }
}
