//! A small HTTP/1.1 server on std sockets: keep-alive, `Content-Length` and chunked
//! request bodies, `Expect: 100-continue`, one thread per connection.
//!
//! Written by hand rather than on an HTTP framework because the fault injector must
//! control the socket byte by byte: a truncated body must go out with the full
//! `Content-Length`, and a dropped connection must close without a status line.
//!
//! Every resource a client can hold is bounded (see [`crate::ServerLimits`] and the
//! constants below): bytes of a head and of a body, time to send a request, time a
//! connection may sit idle, and open connections. A connection's slot is released by
//! a drop guard ([`Slot`]), so that no panic or early return can leak one; a panic
//! in the handler is caught and answered with a 500.

use crate::ServerLimits;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most bytes of a request head (request line and headers, with their line ends).
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Most header lines in a request head.
pub(crate) const MAX_HEADERS: usize = 100;
/// Most bytes of a request body, `Content-Length` or the sum of its chunks.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Most bytes of a chunked body's framing: chunk-size lines, extensions, trailers.
pub(crate) const MAX_CHUNK_FRAMING: usize = 64 * 1024;
/// How long the accept thread waits for an evicted connection to free its slot
/// before it answers 503 instead.
const EVICT_WAIT: Duration = Duration::from_secs(1);
/// Bytes of client input quoted in an error message.
const EXCERPT: usize = 64;

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

/// Statuses whose responses never carry content (RFC 9110 §6.4.1, §15.3.6): a body
/// written after such a head would be read as the start of the next response.
pub(crate) fn bodiless(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 205 || status == 304
}

/// A connection waiting for (or still receiving) a request; it may be evicted.
const WAITING: u8 = 0;
/// A connection whose request is being answered; it is never evicted.
const BUSY: u8 = 1;
/// A connection the accept thread has shut down to make room.
const EVICTED: u8 = 2;

struct Conn {
    stream: TcpStream,
    state: AtomicU8,
    /// When the current state began, in ms since the server started.
    since_ms: AtomicU64,
}

struct Shared {
    limits: ServerLimits,
    epoch: Instant,
    stop: AtomicBool,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    /// Connection threads alive (slots taken), under `conns`' own lock order.
    active: AtomicUsize,
    freed: Condvar,
    freed_lock: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Shut down the waiting connection that has waited longest; false if every
    /// connection is busy answering.
    fn evict_one(&self) -> bool {
        let conns = lock(&self.conns);
        let mut waiting: Vec<&Arc<Conn>> = conns
            .values()
            .filter(|c| c.state.load(Ordering::SeqCst) == WAITING)
            .collect();
        waiting.sort_by_key(|c| c.since_ms.load(Ordering::SeqCst));
        for c in waiting {
            if c.state
                .compare_exchange(WAITING, EVICTED, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                let _ = c.stream.shutdown(Shutdown::Both);
                return true;
            }
        }
        false
    }

    /// Wait (bounded) until fewer than the maximum connections are open.
    fn wait_for_room(&self, max: usize) -> bool {
        let deadline = Instant::now() + EVICT_WAIT;
        let mut guard = lock(&self.freed_lock);
        loop {
            if self.active.load(Ordering::SeqCst) < max {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            guard = self
                .freed
                .wait_timeout(guard, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// A taken connection slot; dropping it (on any exit of the connection thread,
/// panics included, or when the thread could not be spawned) releases the slot.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.shared.conns).remove(&self.id);
        self.shared.active.fetch_sub(1, Ordering::SeqCst);
        let _g = lock(&self.shared.freed_lock);
        self.shared.freed.notify_all();
    }
}

pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn bind(port: u16, handler: Arc<dyn Handler>, limits: ServerLimits) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            limits,
            epoch: Instant::now(),
            stop: AtomicBool::new(false),
            conns: Mutex::default(),
            active: AtomicUsize::new(0),
            freed: Condvar::new(),
            freed_lock: Mutex::new(()),
        });
        let accept = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("plumlogs-emulator-accept".into())
                .spawn(move || accept_loop(listener, handler, shared))?
        };
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connection slots taken right now.
    pub fn open_connections(&self) -> usize {
        self.shared.active.load(Ordering::SeqCst)
    }

    /// Wait up to `timeout` for every slot to be free; the slots still taken.
    pub fn wait_for_no_connections(&self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        let mut guard = lock(&self.shared.freed_lock);
        loop {
            let open = self.open_connections();
            let left = deadline.saturating_duration_since(Instant::now());
            if open == 0 || left.is_zero() {
                return open;
            }
            guard = self
                .shared
                .freed
                .wait_timeout(guard, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    pub fn shutdown(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the blocking accept() with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        // Unblock every connection thread waiting in read().
        for c in lock(&self.shared.conns).values() {
            let _ = c.stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(listener: TcpListener, handler: Arc<dyn Handler>, shared: Arc<Shared>) {
    let mut next_id: u64 = 0;
    let max = shared.limits.max_connections;
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let _ = stream.set_nodelay(true);
        if shared.active.load(Ordering::SeqCst) >= max
            && !(shared.evict_one() && shared.wait_for_room(max))
        {
            // Every slot is answering a request: say so at once and close.
            let mut s = stream;
            let _ = s.set_write_timeout(Some(Duration::from_millis(100)));
            let _ = write_response(&mut s, &plain(503, "too many connections"), false);
            let _ = s.shutdown(Shutdown::Write);
            continue;
        }
        let _ = stream.set_write_timeout(Some(shared.limits.write_timeout));
        let id = next_id;
        next_id += 1;
        let conn = Arc::new(Conn {
            stream,
            state: AtomicU8::new(WAITING),
            since_ms: AtomicU64::new(shared.now_ms()),
        });
        lock(&shared.conns).insert(id, conn.clone());
        shared.active.fetch_add(1, Ordering::SeqCst);
        let slot = Slot {
            shared: shared.clone(),
            id,
        };
        let handler = handler.clone();
        // If the spawn fails the closure is dropped, and the slot with it.
        let _ = std::thread::Builder::new()
            .name("plumlogs-emulator-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let slot = slot;
                serve_connection(&conn, &*handler, &slot.shared);
                let _ = conn.stream.shutdown(Shutdown::Both);
            });
    }
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

/// Reads with a timeout: the idle timeout while no request has begun, then whatever
/// is left of the request's deadline.
struct DeadlineReader<'a> {
    stream: &'a TcpStream,
    idle: Duration,
    deadline: Option<Instant>,
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timeout = match self.deadline {
            None => self.idle,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                left
            }
        };
        self.stream.set_read_timeout(Some(timeout))?;
        let mut s = self.stream;
        s.read(buf)
    }
}

fn serve_connection(conn: &Conn, handler: &dyn Handler, shared: &Shared) {
    let limits = &shared.limits;
    let mut reader = BufReader::with_capacity(
        16 * 1024,
        DeadlineReader {
            stream: &conn.stream,
            idle: limits.idle_timeout,
            deadline: None,
        },
    );
    let mut writer = &conn.stream;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        // Idle: wait for the first byte of the next request.
        reader.get_mut().deadline = None;
        match reader.fill_buf() {
            Ok([]) | Err(_) => break,
            Ok(_) => {}
        }
        // From its first byte, a request has `request_timeout` to arrive whole.
        reader.get_mut().deadline = Some(Instant::now() + limits.request_timeout);
        let request = match read_request(&mut reader, &mut writer) {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Io) => break,
            Err(ReadError::Timeout) => {
                let why = format!(
                    "request not received within {} ms",
                    limits.request_timeout.as_millis()
                );
                let _ = write_response(&mut writer, &plain(408, &why), false);
                break;
            }
            Err(ReadError::Bad(status, why)) => {
                let _ = write_response(&mut writer, &plain(status, &why), false);
                break;
            }
        };
        if conn
            .state
            .compare_exchange(WAITING, BUSY, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            break; // evicted while the request arrived
        }
        let keep = request.keep_alive;
        let Ok(outcome) = catch_unwind(AssertUnwindSafe(|| handler.handle(&request))) else {
            // A bug in the handler: say so, and close; the client starts afresh.
            let oops = plain(500, "the emulator failed on this request");
            let _ = write_response(&mut writer, &oops, false);
            break;
        };
        let go_on = match outcome {
            Outcome::Respond(resp) if request.method == "HEAD" => {
                // Same head as a GET, no body (RFC 9110 §9.3.2).
                let head = response_head(&resp, keep);
                writer
                    .write_all(&head)
                    .and_then(|()| writer.flush())
                    .is_ok()
                    && keep
            }
            Outcome::Respond(resp) => write_response(&mut writer, &resp, keep).is_ok() && keep,
            Outcome::Truncate(resp) => {
                let head = response_head(&resp, true);
                let half = resp.body.len() / 2;
                let _ = writer.write_all(&head);
                let _ = writer.write_all(&resp.body[..half]);
                let _ = writer.flush();
                false
            }
            Outcome::Drop => false,
        };
        if !go_on {
            break;
        }
        conn.since_ms.store(shared.now_ms(), Ordering::SeqCst);
        if conn
            .state
            .compare_exchange(BUSY, WAITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            break;
        }
    }
}

#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed or the socket failed: nothing to answer.
    Io,
    /// The request's deadline passed (answered 408).
    Timeout,
    /// A bad request: the status and the reason to answer with.
    Bad(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ReadError::Timeout,
            _ => ReadError::Io,
        }
    }
}

/// A bounded, escaped quotation of client input for an error message.
fn excerpt(s: &str) -> String {
    if s.len() <= EXCERPT {
        return format!("{s:?}");
    }
    let mut end = EXCERPT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes)", &s[..end], s.len())
}

/// One CRLF- (or LF-) terminated line, without its terminator, taking its bytes
/// from `budget`; `too_long` is the error when the budget runs out mid-line.
fn read_line(
    reader: &mut impl BufRead,
    budget: &mut usize,
    too_long: (u16, &str),
) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::with_capacity(128);
    let n = reader
        .by_ref()
        .take(*budget as u64)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return if *budget == 0 {
            Err(ReadError::Bad(too_long.0, too_long.1.into()))
        } else {
            Ok(None)
        };
    }
    *budget -= n;
    if buf.last() != Some(&b'\n') {
        if *budget == 0 {
            return Err(ReadError::Bad(too_long.0, too_long.1.into()));
        }
        return Err(ReadError::Io); // EOF mid-line
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map(Some).map_err(|e| {
        ReadError::Bad(
            400,
            format!(
                "request line or header is not UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

const HEAD_TOO_LARGE: (u16, &str) = (431, "request head too large (limit 65536 bytes)");
const FRAMING_TOO_LARGE: (u16, &str) = (
    413,
    "chunk-size lines and trailers too large (limit 65536 bytes)",
);

/// Read one request: `Ok(None)` when the peer closed cleanly before a request
/// began. `continue_to` receives the `100 Continue` interim answer.
pub(crate) fn read_request(
    reader: &mut impl BufRead,
    continue_to: &mut impl Write,
) -> Result<Option<Request>, ReadError> {
    let mut budget = MAX_HEAD;
    // Tolerate stray blank lines between requests (RFC 9112 §2.2).
    let line = loop {
        match read_line(reader, &mut budget, HEAD_TOO_LARGE)? {
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
            format!("malformed request line {}", excerpt(&line)),
        ));
    };
    if method.is_empty() || target.is_empty() {
        return Err(ReadError::Bad(
            400,
            format!("malformed request line {}", excerpt(&line)),
        ));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(ReadError::Bad(
                505,
                format!("unsupported version {}", excerpt(version)),
            ));
        }
    };
    let mut headers = Vec::new();
    loop {
        let Some(h) = read_line(reader, &mut budget, HEAD_TOO_LARGE)? else {
            return Err(ReadError::Io);
        };
        if h.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Bad(
                431,
                format!("too many headers (limit {MAX_HEADERS})"),
            ));
        }
        let Some((name, value)) = h.split_once(':') else {
            return Err(ReadError::Bad(
                400,
                format!("malformed header line {}", excerpt(&h)),
            ));
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
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            // All digits: only a value too large for usize fails, and that is too large.
            v.parse::<usize>().unwrap_or(usize::MAX)
        }
        Some(v) => {
            return Err(ReadError::Bad(
                400,
                format!("bad Content-Length {}", excerpt(v)),
            ));
        }
    };
    if length > MAX_BODY {
        return Err(ReadError::Bad(
            413,
            format!("request body too large (limit {MAX_BODY} bytes)"),
        ));
    }
    if (chunked || length > 0)
        && get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        continue_to.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        continue_to.flush()?;
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

/// A chunked body (RFC 9112 §7.1), at most [`MAX_BODY`] bytes of content and
/// [`MAX_CHUNK_FRAMING`] bytes of framing. Every size is checked before use.
fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_CHUNK_FRAMING;
    loop {
        let Some(size_line) = read_line(reader, &mut budget, FRAMING_TOO_LARGE)? else {
            return Err(ReadError::Io);
        };
        let hex = size_line.split(';').next().unwrap_or("").trim();
        // Hex digits only (`from_str_radix` would also take a sign).
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReadError::Bad(
                400,
                format!("bad chunk size {}", excerpt(hex)),
            ));
        }
        let too_large = || {
            ReadError::Bad(
                413,
                format!("request body too large (limit {MAX_BODY} bytes)"),
            )
        };
        // A single chunk larger than the whole body may be is bad framing (400),
        // whatever its width; a body whose chunks add up past the limit is 413.
        let digits = hex.trim_start_matches('0');
        let size = match usize::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16) {
            Ok(n) if n <= MAX_BODY => n,
            _ => {
                return Err(ReadError::Bad(
                    400,
                    format!(
                        "chunk size {} is larger than the body limit ({MAX_BODY} bytes)",
                        excerpt(hex)
                    ),
                ));
            }
        };
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                match read_line(reader, &mut budget, FRAMING_TOO_LARGE)? {
                    None => return Err(ReadError::Io),
                    Some(l) if l.is_empty() => return Ok(body),
                    Some(_) => {}
                }
            }
        }
        let total = body
            .len()
            .checked_add(size)
            .filter(|&t| t <= MAX_BODY)
            .ok_or_else(too_large)?;
        let at = body.len();
        body.resize(total, 0);
        reader.read_exact(&mut body[at..])?;
        match read_line(reader, &mut budget, FRAMING_TOO_LARGE)? {
            Some(l) if l.is_empty() => {}
            Some(_) => {
                return Err(ReadError::Bad(
                    400,
                    "chunk data longer than its chunk size".into(),
                ));
            }
            None => return Err(ReadError::Io),
        }
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
        408 => "Request Timeout",
        413 => "Content Too Large",
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
    // RFC 9110 §8.6: no Content-Length on a 1xx or 204 (nor, here, on 205/304).
    if !bodiless(resp.status) {
        let _ = write!(head, "Content-Length: {}\r\n", resp.body.len());
    }
    let _ = write!(
        head,
        "Connection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" }
    );
    head
}

fn write_response(w: &mut impl Write, resp: &Response, keep_alive: bool) -> io::Result<()> {
    let head = response_head(resp, keep_alive);
    // A body after a head that cannot have one would mis-frame the next response.
    let body: &[u8] = if bodiless(resp.status) {
        &[]
    } else {
        &resp.body
    };
    // Head and body in one vectored write: no copy of the body, no lone head segment.
    let mut bufs = [io::IoSlice::new(&head), io::IoSlice::new(body)];
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

/// What reading `data` as a stream of pipelined requests gives: per request, its
/// body length, or the status it would be answered with. For the fuzz target and
/// its replay test.
pub(crate) fn read_requests_from(data: &[u8]) -> Vec<Result<usize, u16>> {
    let mut reader = data;
    let mut out = Vec::new();
    // Every request consumes at least one byte, so this ends.
    while !reader.is_empty() {
        let before = reader.len();
        match read_request(&mut reader, &mut io::sink()) {
            Ok(Some(r)) => {
                assert!(r.body.len() <= MAX_BODY && r.headers.len() <= MAX_HEADERS);
                assert!(reader.len() < before, "a request consumed no input");
                out.push(Ok(r.body.len()));
            }
            Ok(None) => break,
            Err(ReadError::Bad(status, why)) => {
                assert!(why.len() <= 8 * EXCERPT + 100, "unbounded message: {why}");
                out.push(Err(status));
                break;
            }
            Err(ReadError::Io | ReadError::Timeout) => {
                out.push(Err(0));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};

    /// Panics on `/panic`, answers 200 `ok` otherwise.
    struct Panicky;

    impl Handler for Panicky {
        fn handle(&self, request: &Request) -> Outcome {
            if request.path == "/panic" {
                panic!("a handler bug");
            }
            Outcome::Respond(plain(200, "ok"))
        }
    }

    fn get(addr: SocketAddr, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        BufReader::new(s).read_to_string(&mut out).unwrap();
        let status = out.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
        (status, out)
    }

    fn wait_for_no_connections(server: &Server) {
        let open = server.wait_for_no_connections(Duration::from_secs(5));
        assert_eq!(open, 0, "connection slots still taken");
    }

    #[test]
    fn panicking_and_aborted_requests_release_their_slots() {
        let limits = ServerLimits {
            max_connections: 4,
            ..Default::default()
        };
        let mut server = Server::bind(0, Arc::new(Panicky), limits).unwrap();
        let addr = server.addr();
        // Ten times the slots: with a leak the later ones could not be served.
        for _ in 0..40 {
            let (status, text) = get(addr, "/panic");
            assert_eq!(status, 500, "{text}");
            assert!(text.contains("Connection: close"), "{text}");
        }
        for i in 0..40 {
            // Aborted mid-head, mid-body and mid-chunk.
            let mut s = TcpStream::connect(addr).unwrap();
            let part: &[u8] = match i % 3 {
                0 => b"GET /ok HTTP/1.1\r\nHost:",
                1 => b"POST /ok HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
                _ => b"POST /ok HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            };
            s.write_all(part).unwrap();
            drop(s);
        }
        wait_for_no_connections(&server);
        let (status, text) = get(addr, "/ok");
        assert_eq!(status, 200, "{text}");
        wait_for_no_connections(&server);
        server.shutdown();
    }

    #[test]
    fn pipelined_bodiless_responses_keep_the_framing() {
        struct Statuses;
        impl Handler for Statuses {
            fn handle(&self, request: &Request) -> Outcome {
                let status = request.path[1..].parse().unwrap_or(200);
                // A body the writer must leave out where the status has none.
                Outcome::Respond(plain(status, "must not be sent"))
            }
        }
        let mut server = Server::bind(0, Arc::new(Statuses), ServerLimits::default()).unwrap();
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(
            b"GET /204 HTTP/1.1\r\n\r\nGET /304 HTTP/1.1\r\n\r\nGET /200 HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut r = BufReader::new(s);
        for (want, body) in [(204, ""), (304, ""), (200, "must not be sent")] {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            assert!(line.starts_with(&format!("HTTP/1.1 {want} ")), "{line:?}");
            let mut length = None;
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                if h == "\r\n" {
                    break;
                }
                if let Some(v) = h.strip_prefix("Content-Length: ") {
                    length = Some(v.trim().parse::<usize>().unwrap());
                }
            }
            assert_eq!(length.is_some(), want == 200, "Content-Length on {want}");
            let mut got = vec![0; length.unwrap_or(0)];
            r.read_exact(&mut got).unwrap();
            assert_eq!(got, body.as_bytes());
        }
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "bytes after the last response: {rest:?}");
        server.shutdown();
    }

    fn one(data: &[u8]) -> Result<usize, u16> {
        read_requests_from(data)[0]
    }

    #[test]
    fn chunk_sizes_are_checked_before_use() {
        let chunked = |body: &str| {
            format!("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{body}").into_bytes()
        };
        // Used to overflow `body.len() + size` and panic the connection thread.
        assert_eq!(one(&chunked("FFFFFFFFFFFFFFFF\r\n")), Err(400));
        assert_eq!(one(&chunked("1\r\na\r\nFFFFFFFFFFFFFFFF\r\n")), Err(400));
        assert_eq!(
            one(&chunked("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\n")),
            Err(400)
        );
        assert_eq!(one(&chunked("100001\r\n")), Err(400)); // one chunk over 1 MiB
        assert_eq!(one(&chunked("+5\r\nhello\r\n0\r\n\r\n")), Err(400));
        assert_eq!(one(&chunked("-1\r\n")), Err(400));
        assert_eq!(one(&chunked("\r\n")), Err(400));
        assert_eq!(one(&chunked("2\r\nhello\r\n0\r\n\r\n")), Err(400));
        assert_eq!(
            one(&chunked("5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n")),
            Ok(5)
        );
        assert_eq!(one(&chunked("00000005\r\nhello\r\n0\r\n\r\n")), Ok(5));
        // Chunks that add up past the limit: 17 × 64 KiB.
        let mut many = String::new();
        for _ in 0..17 {
            many.push_str("10000\r\n");
            many.push_str(&"x".repeat(0x10000));
            many.push_str("\r\n");
        }
        many.push_str("0\r\n\r\n");
        assert_eq!(one(&chunked(&many)), Err(413));
        // Framing (size lines, extensions, trailers) is bounded too.
        let long_ext = format!("1;{}\r\n", "e".repeat(70_000));
        assert_eq!(one(&chunked(&long_ext)), Err(413));
        let trailers = "0\r\n".to_string() + &"T: v\r\n".repeat(20_000);
        assert_eq!(one(&chunked(&trailers)), Err(413));
    }

    #[test]
    fn heads_are_bounded_and_errors_quote_a_bounded_excerpt() {
        assert_eq!(
            one(b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            Err(413)
        );
        assert_eq!(
            one(b"GET / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello"),
            Err(400)
        );
        assert_eq!(
            one(b"GET / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n"),
            Err(413)
        );
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(70_000));
        assert_eq!(one(long.as_bytes()), Err(431));
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(101));
        assert_eq!(one(many.as_bytes()), Err(431));
        let bad = format!("GET /{} HTTP/1.1 extra\r\n\r\n", "\u{1}".repeat(5000));
        let mut reader: &[u8] = bad.as_bytes();
        match read_request(&mut reader, &mut io::sink()) {
            Err(ReadError::Bad(400, why)) => {
                assert!(why.len() < 600 && why.contains("(5020 bytes)"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(one(b"GET / HTTP/2\r\n\r\n"), Err(505));
        assert_eq!(one(b"GET / HTTP/1.1\r\nno colon\r\n\r\n"), Err(400));
        assert_eq!(one(b"GET / HTTP/1.1\r\n\xff: x\r\n\r\n"), Err(400));
        assert_eq!(one(b"GET / HTTP/1.1\r\nHost: x"), Err(0));
        let two = read_requests_from(
            b"GET /a HTTP/1.1\r\n\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        );
        assert_eq!(two, vec![Ok(0), Ok(3)]);
    }
}
