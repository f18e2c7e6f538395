//! The four services, their parameter rules, auth, fault injection and the
//! `/__emulator` control API.

use crate::http::{Handler, Outcome, Request, Response};
use crate::store::{Filter, Query, Store};
use crate::{Fault, FaultError, FaultKind, MAX_QUEUED_FAULTS, RecordedRequest};
use base64::Engine as _;
use plumlogs::encode::{encode_call_log, encode_call_summaries, encode_failure, encode_lines};
use plumlogs::{Service, Wire};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The request log keeps this many entries, dropping the oldest.
pub(crate) const MAX_RECORDED: usize = 10_000;
/// ... and at most this many bytes of them, measured as the JSON they are served as.
pub(crate) const MAX_RECORDED_BYTES: usize = 8 * 1024 * 1024;
/// Header names kept per recorded request (the first ones in arrival order).
const RECORDED_HEADERS: usize = 32;
/// Bytes kept of a recorded header value.
const RECORDED_VALUE: usize = 256;
/// Bytes kept of a recorded method, path or query.
const RECORDED_TARGET: usize = 1024;
const SYSTEM_CLOCK: i64 = i64::MIN;
/// The clock's range: 1970-01-01 to 9999-12-31T23:59:59Z, where every date the
/// generator computes stays far from overflow.
pub(crate) const CLOCK_RANGE: std::ops::RangeInclusive<i64> = 0..=253_402_300_799;
pub(crate) const LIMIT_MAX: u64 = 10_000;
pub(crate) const LIMIT_DEFAULT: u64 = 1_000;

/// A queued fault: it answers every `every`-th matching request until its count is spent.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Pending {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default = "one")]
    pub every: u32,
    /// Matching requests seen so far.
    #[serde(skip)]
    seen: u32,
}

fn one() -> u32 {
    1
}

pub(crate) struct App {
    pub store: Store,
    pub username: String,
    pub password: String,
    clock: AtomicI64,
    faults: Mutex<Vec<Pending>>,
    /// Recorded requests with the JSON size of each, and the sum of those sizes.
    requests: Mutex<(VecDeque<(RecordedRequest, usize)>, usize)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    pub fn new(store: Store, username: String, password: String, clock: Option<i64>) -> App {
        App {
            store,
            username,
            password,
            clock: AtomicI64::new(clock.map(clamp_clock).unwrap_or(SYSTEM_CLOCK)),
            faults: Mutex::default(),
            requests: Mutex::default(),
        }
    }

    pub fn now(&self) -> i64 {
        match self.clock.load(Ordering::SeqCst) {
            SYSTEM_CLOCK => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            fixed => fixed,
        }
    }

    pub fn set_clock(&self, unix: Option<i64>) {
        self.clock.store(
            unix.map(clamp_clock).unwrap_or(SYSTEM_CLOCK),
            Ordering::SeqCst,
        );
    }

    pub fn clock_is_fixed(&self) -> bool {
        self.clock.load(Ordering::SeqCst) != SYSTEM_CLOCK
    }

    pub fn inject(&self, fault: Fault, every: u32) -> Result<(), FaultError> {
        fault.validate()?;
        if every == 0 {
            return Err(FaultError {
                field: "every",
                reason: "must be at least 1, got 0".into(),
            });
        }
        let mut faults = lock(&self.faults);
        if faults.len() >= MAX_QUEUED_FAULTS {
            return Err(FaultError {
                field: "queue",
                reason: format!(
                    "{MAX_QUEUED_FAULTS} faults are queued already (the most there can be)"
                ),
            });
        }
        faults.push(Pending {
            fault,
            every,
            seen: 0,
        });
        Ok(())
    }

    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.faults).iter().map(|p| p.fault.clone()).collect()
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests)
            .0
            .iter()
            .map(|(r, _)| r.clone())
            .collect()
    }

    pub fn clear_requests(&self) {
        *lock(&self.requests) = Default::default();
    }

    /// The first queued fault whose prefix matches `path` and whose turn it is
    /// gives up one of its uses. Every matching fault counts the request.
    fn take_fault(&self, path: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let mut fired = None;
        for (i, p) in faults.iter_mut().enumerate() {
            if !p
                .fault
                .path_prefix
                .as_deref()
                .is_none_or(|pre| path.starts_with(pre))
            {
                continue;
            }
            p.seen = p.seen.wrapping_add(1);
            if fired.is_none() && p.seen % p.every == 0 {
                fired = Some(i);
            }
        }
        let i = fired?;
        let kind = faults[i].fault.kind.clone();
        faults[i].fault.count -= 1;
        if faults[i].fault.count == 0 {
            faults.remove(i);
        }
        Some(kind)
    }

    fn record(&self, req: &Request) {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut username = None;
        for (name, value) in &req.headers {
            let value = if name == "authorization" {
                if let Some(cred) = basic_credentials(value) {
                    username = decode_basic(cred).map(|(u, _)| cut(&u, RECORDED_VALUE));
                }
                redact_authorization(value)
            } else {
                cut(value, RECORDED_VALUE)
            };
            if let Some(v) = headers.get_mut(name) {
                if v.len() < RECORDED_VALUE {
                    v.push_str(", ");
                    v.push_str(&value);
                    *v = cut(v, RECORDED_VALUE);
                }
            } else if headers.len() < RECORDED_HEADERS {
                headers.insert(cut(name, RECORDED_VALUE), value);
            }
        }
        let rec = RecordedRequest {
            method: cut(&req.method, RECORDED_TARGET),
            path: cut(&req.path, RECORDED_TARGET),
            query: cut(&req.query, RECORDED_TARGET),
            headers,
            username,
            time: self.now(),
        };
        // Measured as served, so that `GET /__emulator/requests` stays bounded too.
        let size = serde_json::to_vec(&rec).map(|v| v.len() + 1).unwrap_or(0);
        let mut guard = lock(&self.requests);
        let (log, bytes) = &mut *guard;
        log.push_back((rec, size));
        *bytes += size;
        while log.len() > MAX_RECORDED || *bytes > MAX_RECORDED_BYTES {
            match log.pop_front() {
                Some((_, n)) => *bytes -= n,
                None => break,
            }
        }
    }
}

/// At most `max` bytes of `s` (cut at a character boundary); a cut value ends
/// with `… (N bytes)`, N its whole length.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

/// The credentials of a `Basic` authorization value.
fn basic_credentials(value: &str) -> Option<&str> {
    let (scheme, cred) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("basic").then_some(cred)
}

/// An `Authorization` value as the request log keeps it: the scheme when it is a
/// known one followed by a space, and never any of the rest. A value of any other
/// shape (no space, a tab, an unknown scheme that may itself be the secret) is
/// replaced whole.
fn redact_authorization(value: &str) -> String {
    const SCHEMES: [&str; 4] = ["Basic", "Bearer", "Digest", "Negotiate"];
    match value.split_once(' ') {
        Some((scheme, _)) if SCHEMES.iter().any(|k| k.eq_ignore_ascii_case(scheme)) => {
            format!("{scheme} <redacted>")
        }
        _ => "<redacted>".to_string(),
    }
}

fn clamp_clock(unix: i64) -> i64 {
    unix.clamp(*CLOCK_RANGE.start(), *CLOCK_RANGE.end())
}

fn decode_basic(cred: &str) -> Option<(String, String)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cred.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// `Accept` picks the wire format: the first media range naming XML or JSON wins;
/// anything else (or no header) means JSON, the documented default.
fn wire_of(req: &Request) -> Wire {
    let accept = req.header("accept").unwrap_or("");
    for range in accept.split(',') {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/xml" | "text/xml" => return Wire::Xml,
            "application/json" | "text/json" => return Wire::Json,
            _ => {}
        }
    }
    Wire::Json
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// A failure answer: the envelope in the asked-for wire format.
fn failure(status: u16, wire: Wire, service: Service, message: &str) -> Response {
    let mut headers = vec![("Content-Type", wire.media_type().to_string())];
    if status == 401 {
        headers.push(("WWW-Authenticate", "Basic realm=\"Plum DEV\"".to_string()));
    }
    Response {
        status,
        headers,
        body: encode_failure(wire, service, message),
    }
}

fn success(wire: Wire, body: Vec<u8>) -> Response {
    Response {
        status: 200,
        headers: vec![("Content-Type", wire.media_type().to_string())],
        body,
    }
}

fn json(status: u16, value: serde_json::Value) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "application/json".to_string())],
        body: serde_json::to_vec(&value).unwrap_or_default(),
    }
}

fn no_content() -> Response {
    Response {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// What the path names: a service and its path arguments.
enum Route<'a> {
    List(Service, &'a str, &'a str),
    One(&'a str),
    Unknown(Service),
}

fn route(path: &str) -> Route<'_> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let segs: Vec<&str> = trimmed.split('/').collect();
    match segs.as_slice() {
        ["", "ws", "calls", "logs", a, b] => Route::List(Service::Logs, a, b),
        ["", "ws", "calls", "sessions", a, b] => Route::List(Service::Sessions, a, b),
        ["", "ws", "calls", "errors", a, b] => Route::List(Service::Errors, a, b),
        ["", "ws", "calls", "log", id] => Route::One(id),
        ["", "ws", "calls", name, ..] => Route::Unknown(name.parse().unwrap_or(Service::Logs)),
        _ => Route::Unknown(Service::Logs),
    }
}

fn parse_timestamp(name: &str, raw: &str) -> Result<i64, String> {
    raw.parse::<i64>()
        .map_err(|_| format!("{name} must be an integer UNIX timestamp (seconds), got {raw:?}"))
}

fn retention_words(service: Service) -> &'static str {
    match service {
        Service::Logs | Service::Log => "the last 5 days",
        Service::Sessions | Service::Errors => "the last year",
    }
}

impl App {
    fn serve(&self, req: &Request, wire: Wire) -> Response {
        let route = route(&req.path);
        let service = match route {
            Route::List(s, ..) => s,
            Route::One(_) => Service::Log,
            Route::Unknown(s) => {
                return failure(
                    404,
                    wire,
                    s,
                    &format!(
                        "No such service: {} (expected /ws/calls/logs|sessions|errors/START/END or /ws/calls/log/LOG_ID)",
                        req.path
                    ),
                );
            }
        };
        if req.method != "GET" {
            let mut r = failure(
                405,
                wire,
                service,
                &format!(
                    "Method {} not allowed: the Call Log API answers GET only",
                    req.method
                ),
            );
            r.headers.push(("Allow", "GET".to_string()));
            return r;
        }
        let authorized = req
            .header("authorization")
            .and_then(basic_credentials)
            .and_then(decode_basic)
            .is_some_and(|(u, p)| u == self.username && p == self.password);
        if !authorized {
            return failure(
                401,
                wire,
                service,
                &format!("Unauthorized access to {service} service"),
            );
        }
        let now = self.now();
        match route {
            Route::One(raw) => {
                let Ok(id) = raw.parse::<u64>() else {
                    return failure(
                        400,
                        wire,
                        service,
                        &format!("log_id must be a non-negative integer, got {raw:?}"),
                    );
                };
                match self.store.call_for_log(id, now) {
                    Some((day, i)) => success(
                        wire,
                        encode_call_log(wire, &self.store.view(&day, i).call_log_text()),
                    ),
                    None => failure(
                        404,
                        wire,
                        service,
                        &format!(
                            "No call log with log_id {id} (call logs are kept for {})",
                            retention_words(service)
                        ),
                    ),
                }
            }
            Route::List(service, a, b) => match self.list(req, wire, service, a, b, now) {
                Ok(r) => r,
                Err(message) => failure(400, wire, service, &message),
            },
            Route::Unknown(_) => unreachable!("answered above"),
        }
    }

    fn list(
        &self,
        req: &Request,
        wire: Wire,
        service: Service,
        a: &str,
        b: &str,
        now: i64,
    ) -> Result<Response, String> {
        let start = parse_timestamp("start_timestamp", a)?;
        let end = parse_timestamp("end_timestamp", b)?;
        if end <= start {
            return Err(format!(
                "end_timestamp ({end}) must be after start_timestamp ({start})"
            ));
        }
        let oldest = now - service.retention_seconds();
        if start < oldest {
            return Err(format!(
                "start_timestamp ({start}) must be within {} (on or after {oldest})",
                retention_words(service)
            ));
        }
        let params = query_params(&req.query);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let limit = match get("limit") {
            None => LIMIT_DEFAULT,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=LIMIT_MAX).contains(n))
                .ok_or_else(|| {
                    format!("limit must be an integer from 1 to {LIMIT_MAX}, got {v:?}")
                })?,
        };
        let offset = match get("offset") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("offset must be a non-negative integer, got {v:?}"))?,
        };
        let filter = get("number")
            .or_else(|| get("numbers"))
            .and_then(|n| Filter::new(&self.store.account, n));
        let sel = self.store.select(&Query {
            service,
            start,
            end,
            now,
            filter: filter.as_ref(),
            offset,
            limit,
        });
        let total = sel.total as usize;
        let body = match service {
            Service::Sessions => {
                let texts: Vec<_> = sel
                    .slices
                    .iter()
                    .map(|s| (self.store.view(&s.day, s.call).text(), s.skip, s.take))
                    .collect();
                let mut records = Vec::with_capacity(limit.min(LIMIT_MAX) as usize);
                for (text, skip, take) in &texts {
                    records.extend(text.session_records().skip(*skip).take(*take));
                }
                encode_lines(wire, service, total, &records)
            }
            Service::Errors => {
                let records: Vec<_> = sel
                    .slices
                    .iter()
                    .filter_map(|s| self.store.view(&s.day, s.call).error_record())
                    .collect();
                encode_lines(wire, service, total, &records)
            }
            Service::Logs | Service::Log => {
                let items: Vec<_> = sel
                    .slices
                    .iter()
                    .filter_map(|s| self.store.view(&s.day, s.call).summary())
                    .collect();
                encode_call_summaries(wire, total, &items)
            }
        };
        Ok(success(wire, body))
    }

    fn control(&self, req: &Request) -> Response {
        let path = req.path.strip_suffix('/').unwrap_or(&req.path);
        let bad = |msg: String| json(400, serde_json::json!({ "error": msg }));
        match (req.method.as_str(), path) {
            ("GET", "/__emulator/health") => json(200, serde_json::json!({ "ok": true })),
            ("POST", "/__emulator/faults") => match serde_json::from_slice::<Pending>(&req.body) {
                Ok(p) => match self.inject(p.fault, p.every) {
                    Ok(()) => no_content(),
                    Err(e) => json(
                        400,
                        serde_json::json!({ "error": e.to_string(), "field": e.field }),
                    ),
                },
                Err(e) => bad(format!("not a fault: {e}")),
            },
            ("GET", "/__emulator/faults") => json(
                200,
                serde_json::to_value(lock(&self.faults).clone()).unwrap_or_default(),
            ),
            ("DELETE", "/__emulator/faults") => {
                self.clear_faults();
                no_content()
            }
            ("GET", "/__emulator/requests") => json(
                200,
                serde_json::to_value(self.requests()).unwrap_or_default(),
            ),
            ("DELETE", "/__emulator/requests") => {
                self.clear_requests();
                no_content()
            }
            ("GET", "/__emulator/clock") => json(
                200,
                serde_json::json!({ "now": self.now(), "fixed": self.clock_is_fixed() }),
            ),
            ("POST", "/__emulator/clock") => {
                #[derive(serde::Deserialize)]
                struct Clock {
                    now: Option<i64>,
                }
                match serde_json::from_slice::<Clock>(&req.body) {
                    Ok(Clock { now: Some(n) }) if !CLOCK_RANGE.contains(&n) => bad(format!(
                        "now must be from {} to {} (UNIX seconds), got {n}",
                        CLOCK_RANGE.start(),
                        CLOCK_RANGE.end()
                    )),
                    Ok(c) => {
                        self.set_clock(c.now);
                        no_content()
                    }
                    Err(e) => bad(format!("expected {{\"now\": UNIX seconds or null}}: {e}")),
                }
            }
            ("GET", "/__emulator/config") => json(
                200,
                serde_json::json!({
                    "seed": self.store.account.seed,
                    "calls_per_day": self.store.calls_per_day,
                    "username": self.username,
                    "numbers": self.store.account.dnis,
                    "logins": self.store.account.logins,
                }),
            ),
            _ => json(
                404,
                serde_json::json!({ "error": format!("no control endpoint {} {}", req.method, req.path) }),
            ),
        }
    }
}

/// The service a path names, for the root element of an XML failure.
fn service_of(path: &str) -> Service {
    match route(path) {
        Route::List(s, ..) | Route::Unknown(s) => s,
        Route::One(_) => Service::Log,
    }
}

/// A JSON failure body laid out as the docs print it, trailing comma included.
fn documented_json_failure(message: &str) -> Vec<u8> {
    let quoted = serde_json::to_string(message).unwrap_or_else(|_| "\"\"".to_string());
    format!("{{\n  \"status\":\"failure\",\n  \"error\":{quoted},\n}}").into_bytes()
}

/// Stand-in for a broken upstream: a PHP fatal error, neither JSON nor XML.
const MALFORMED_BODY: &[u8] =
    b"PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted in /var/www/ws/calls.php on line 212\n";

impl Handler for App {
    fn handle(&self, req: &Request) -> Outcome {
        if req.path.starts_with("/__emulator/") || req.path == "/__emulator" {
            return Outcome::Respond(self.control(req));
        }
        self.record(req);
        let wire = wire_of(req);
        match self.take_fault(&req.path) {
            None => Outcome::Respond(self.serve(req, wire)),
            Some(FaultKind::Slow { delay_ms }) => {
                // At most MAX_DELAY_MS, checked when queued.
                std::thread::sleep(Duration::from_millis(delay_ms));
                Outcome::Respond(self.serve(req, wire))
            }
            Some(FaultKind::Status {
                status,
                retry_after,
            }) => {
                // Validated when queued: 200..=599, never a bodiless status.
                let service = service_of(&req.path);
                let mut r = failure(
                    status,
                    wire,
                    service,
                    &format!("Service temporarily unavailable (emulated HTTP {status})"),
                );
                if let Some(s) = retry_after {
                    r.headers.push(("Retry-After", s.to_string()));
                }
                Outcome::Respond(r)
            }
            Some(FaultKind::Truncated) => Outcome::Truncate(self.serve(req, wire)),
            Some(FaultKind::DocumentedFailure { status }) => {
                let message = format!("Service temporarily unavailable (emulated HTTP {status})");
                let mut r = failure(status, wire, service_of(&req.path), &message);
                if wire == Wire::Json {
                    r.body = documented_json_failure(&message);
                }
                Outcome::Respond(r)
            }
            Some(FaultKind::Malformed) => Outcome::Respond(Response {
                status: 200,
                headers: vec![("Content-Type", wire.media_type().to_string())],
                body: MALFORMED_BODY.to_vec(),
            }),
            Some(FaultKind::Drop) => Outcome::Drop,
        }
    }
}
