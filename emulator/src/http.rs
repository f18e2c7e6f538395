//! A small HTTP/1.1 server on std sockets: keep-alive, `Content-Length` and chunked
//! request bodies, `Expect: 100-continue`, one thread per connection.
//!
//! Written by hand rather than on an HTTP framework because the fault injector must
//! control the socket byte by byte: a truncated body must go out with the full
//! `Content-Length`, and a dropped connection must close without a status line.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const MAX_HEAD: u64 = 64 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_BODY: usize = 1024 * 1024;
/// Beyond this many open connections new ones get a 503 and are closed, so a
/// runaway client cannot exhaust threads.
const MAX_CONNECTIONS: usize = 1024;
/// Half-open or forgotten keep-alive connections are closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    /// The raw query string, without the `?`.
    pub query: String,
    /// Header names lowercased, values trimmed, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub keep_alive: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A complete response.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// What the application wants done with a request.
pub(crate) enum Outcome {
    Respond(Response),
    /// Send the head with the full `Content-Length`, half the body, then close.
    Truncate(Response),
    /// Close the connection without answering.
    Drop,
}

pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: &Request) -> Outcome;
}

pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn bind(port: u16, handler: Arc<dyn Handler>) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let accept = {
            let stop = stop.clone();
            let conns = conns.clone();
            std::thread::Builder::new()
                .name("plumlogs-emulator-accept".into())
                .spawn(move || accept_loop(listener, handler, stop, conns))?
        };
        Ok(Server {
            addr,
            stop,
            conns,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn shutdown(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the blocking accept() with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        // Unblock every connection thread waiting in read().
        let conns = std::mem::take(&mut *self.conns.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, s) in conns {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
) {
    let next_id = AtomicU64::new(0);
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let mut s = stream;
            let _ = write_response(&mut s, &plain(503, "too many connections"), false);
            continue;
        }
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            conns
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, clone);
        }
        active.fetch_add(1, Ordering::SeqCst);
        let handler = handler.clone();
        let conns2 = conns.clone();
        let active2 = active.clone();
        let stop2 = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("plumlogs-emulator-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                serve_connection(stream, &*handler, &stop2);
                conns2.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                active2.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn serve_connection(stream: TcpStream, handler: &dyn Handler, stop: &AtomicBool) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(16 * 1024, read_half);
    let mut writer = stream;
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let request = match read_request(&mut reader, &mut writer) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(ReadError::Io) => break,
            Err(ReadError::Bad(status, why)) => {
                let _ = write_response(&mut writer, &plain(status, &why), false);
                break;
            }
        };
        let keep = request.keep_alive;
        match handler.handle(&request) {
            Outcome::Respond(mut resp) if request.method == "HEAD" => {
                // Same head as a GET, no body (RFC 9110 §9.3.2).
                let head = response_head(&resp, keep);
                resp.body.clear();
                if writer
                    .write_all(&head)
                    .and_then(|()| writer.flush())
                    .is_err()
                    || !keep
                {
                    break;
                }
            }
            Outcome::Respond(resp) => {
                if write_response(&mut writer, &resp, keep).is_err() || !keep {
                    break;
                }
            }
            Outcome::Truncate(resp) => {
                let head = response_head(&resp, true);
                let half = resp.body.len() / 2;
                let _ = writer.write_all(&head);
                let _ = writer.write_all(&resp.body[..half]);
                let _ = writer.flush();
                break;
            }
            Outcome::Drop => break,
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

enum ReadError {
    Io,
    Bad(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// One CRLF- (or LF-) terminated line of the head, without its terminator.
fn read_line(reader: &mut impl BufRead, budget: &mut u64) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::with_capacity(128);
    let n = reader.by_ref().take(*budget).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    *budget = budget.saturating_sub(n as u64);
    if buf.last() != Some(&b'\n') {
        if *budget == 0 {
            return Err(ReadError::Bad(431, "request head too large".into()));
        }
        return Err(ReadError::Io); // EOF mid-line
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Bad(400, "request head is not UTF-8".into()))
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Result<Option<Request>, ReadError> {
    let mut budget = MAX_HEAD;
    // Tolerate stray blank lines between requests (RFC 9112 §2.2).
    let line = loop {
        match read_line(reader, &mut budget)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(
            400,
            format!("malformed request line {line:?}"),
        ));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(ReadError::Bad(
                505,
                format!("unsupported version {version:?}"),
            ));
        }
    };
    let mut headers = Vec::new();
    loop {
        let Some(h) = read_line(reader, &mut budget)? else {
            return Err(ReadError::Io);
        };
        if h.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Bad(431, "too many headers".into()));
        }
        let Some((name, value)) = h.split_once(':') else {
            return Err(ReadError::Bad(400, format!("malformed header line {h:?}")));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    let connection = get("connection").unwrap_or("").to_ascii_lowercase();
    let keep_alive = if http10 {
        connection.split(',').any(|t| t.trim() == "keep-alive")
    } else {
        !connection.split(',').any(|t| t.trim() == "close")
    };
    let chunked =
        get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match get("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ReadError::Bad(400, format!("bad Content-Length {v:?}")))?,
    };
    if length > MAX_BODY {
        return Err(ReadError::Bad(413, "request body too large".into()));
    }
    if (chunked || length > 0)
        && get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    Ok(Some(Request {
        method: method.to_string(),
        path,
        query,
        headers,
        body,
        keep_alive,
    }))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD;
    loop {
        let Some(size_line) = read_line(reader, &mut budget)? else {
            return Err(ReadError::Io);
        };
        let hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(hex, 16)
            .map_err(|_| ReadError::Bad(400, format!("bad chunk size {hex:?}")))?;
        if size == 0 {
            // Trailers, up to the blank line.
            while let Some(l) = read_line(reader, &mut budget)? {
                if l.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Bad(413, "request body too large".into()));
        }
        let at = body.len();
        body.resize(at + size, 0);
        reader.read_exact(&mut body[at..])?;
        let _ = read_line(reader, &mut budget)?; // the CRLF after the chunk
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

fn response_head(resp: &Response, keep_alive: bool) -> Vec<u8> {
    let mut head = Vec::with_capacity(256);
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\nServer: plumlogs-emulator\r\n",
        resp.status,
        reason(resp.status)
    );
    for (name, value) in &resp.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    // RFC 9110 §8.6: no Content-Length on a 204.
    if resp.status != 204 {
        let _ = write!(head, "Content-Length: {}\r\n", resp.body.len());
    }
    let _ = write!(
        head,
        "Connection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" }
    );
    head
}

fn write_response(w: &mut TcpStream, resp: &Response, keep_alive: bool) -> io::Result<()> {
    let head = response_head(resp, keep_alive);
    // Head and body in one vectored write: no copy of the body, no lone head segment.
    let mut bufs = [io::IoSlice::new(&head), io::IoSlice::new(&resp.body)];
    let mut bufs: &mut [io::IoSlice<'_>] = &mut bufs;
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => io::IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    w.flush()
}
