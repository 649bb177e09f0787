//! A tiny HTTP/1.1 server on 127.0.0.1 for tests that must not touch the network: each
//! connection gets one response from a handler, and every request is logged.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the handler sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
}

/// What the handler answers.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (a slow server).
    pub delay: Duration,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Response {
        let mut response = Response::new(status, "text/plain", "moved");
        response.headers.push(("Location".into(), location.into()));
        response
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A running server; it lives until the test process ends.
pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    peak: Arc<AtomicUsize>,
}

impl Server {
    /// Serves on a free port of 127.0.0.1.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        Server::on(TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1"), handler)
    }

    /// Serves on a listener bound earlier (so its address can be used before it serves).
    pub fn on(listener: TcpListener, handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let addr = listener.local_addr().expect("a local address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let peak = Arc::new(AtomicUsize::new(0));
        let busy = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (thread_log, thread_peak) = (log.clone(), peak.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, peak, busy, handler) =
                    (thread_log.clone(), thread_peak.clone(), busy.clone(), handler.clone());
                std::thread::spawn(move || {
                    let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // No longer busy once the answer is ready: a client may start its next
                    // request the moment it has read this one, before this thread ends.
                    serve(stream, &log, handler.as_ref(), || {
                        busy.fetch_sub(1, Ordering::SeqCst);
                    });
                });
            }
        });
        Server { addr, log, peak }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().expect("the log").clone()
    }

    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// The most requests that were ever being answered at once.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Request>>, handler: &Handler, answered: impl FnOnce()) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return answered(),
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return answered();
    }
    let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = header.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                }
            }
        }
    }
    let request = Request { path, headers };
    log.lock().expect("the log").push(request.clone());
    let response = handler(&request);
    std::thread::sleep(response.delay);
    answered();
    let mut head =
        format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", response.status, response.body.len());
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&response.body));
    let _ = stream.flush();
}
