//! What the client tells about its requests: a line per attempt through the `log`
//! facade (target `plumlogs::http`), an `on_retry` hook, and the metadata of the
//! last response, reachable from a listing.
//!
//! Nothing here sees a credential: a line holds the method, the path and query (the
//! service path, `offset`, `limit`, `number` — the password and `Authorization` are
//! only headers), the status, the attempt, the time and the body's size. Response
//! headers are kept only from a fixed list of harmless ones.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The `log` target of the request lines and retry notices.
pub const LOG_TARGET: &str = "plumlogs::http";

/// Response headers kept in [`ResponseMeta::headers`] (lowercase names).
pub const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "date",
    "retry-after",
    "server",
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// The level `PLUM_LOG` asks for (`off`, `error`, `warn`, `info`, `debug`; any case;
/// `warning` and `trace` too, `trace` meaning `debug`: the HTTP stack's own lines are
/// never shown). Unset or blank is `Off`. The one reading of the variable, for the
/// CLI and the bindings.
pub fn plum_log_level(value: Option<&str>) -> Result<log::LevelFilter, String> {
    use log::LevelFilter;
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(LevelFilter::Off),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "off" => Ok(LevelFilter::Off),
            "error" => Ok(LevelFilter::Error),
            "warn" | "warning" => Ok(LevelFilter::Warn),
            "info" => Ok(LevelFilter::Info),
            "debug" | "trace" => Ok(LevelFilter::Debug),
            _ => {
                let shown: String = v.chars().take(40).collect();
                Err(format!(
                    "PLUM_LOG={shown:?}: use off, error, warn, info or debug"
                ))
            }
        },
    }
}

/// One HTTP attempt and what it came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseMeta {
    /// `GET`.
    pub method: &'static str,
    /// Path and query after the base URL, e.g. `/ws/calls/errors/1/2?offset=0&limit=1000`.
    pub path: String,
    /// The HTTP status, or `None` when no answer came (connection error, timeout).
    pub status: Option<u16>,
    /// Which attempt this was, from 1.
    pub attempt: u32,
    /// Time from sending to the last byte of the body (or to the failure).
    pub elapsed: Duration,
    /// Body bytes read.
    pub bytes: u64,
    /// The [`KEPT_HEADERS`] the answer had, in the order it sent them.
    pub headers: Vec<(String, String)>,
}

impl ResponseMeta {
    /// A kept header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for ResponseMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> ", self.method, self.path)?;
        match self.status {
            Some(s) => write!(f, "{s}")?,
            None => f.write_str("no answer")?,
        }
        write!(
            f,
            " (attempt {}, {} ms, {} bytes)",
            self.attempt,
            self.elapsed.as_millis(),
            self.bytes
        )
    }
}

/// A retry about to be waited for, as [`ClientBuilder::on_retry`](super::ClientBuilder::on_retry) sees it.
#[derive(Clone, Debug)]
pub struct RetryEvent {
    /// The attempt that failed.
    pub response: ResponseMeta,
    /// Why it failed (the error that stands if the retries run out).
    pub error: String,
    /// The wait before the next attempt.
    pub wait: Duration,
}

impl fmt::Display for RetryEvent {
    /// The line logged for it: `GET /ws/… failed on attempt 1: …; retrying in 40 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.response;
        write!(
            f,
            "{} {} failed on attempt {}: {}; retrying in {} ms",
            r.method,
            r.path,
            r.attempt,
            self.error,
            self.wait.as_millis()
        )
    }
}

/// A callback for each retry.
pub(crate) type OnRetry = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// A callback for each finished attempt.
pub(crate) type OnResponse = Arc<dyn Fn(&ResponseMeta) + Send + Sync>;

/// The observers set on a builder, shared by the client's clones.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_retry: Option<OnRetry>,
    pub(crate) on_response: Option<OnResponse>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_retry", &self.on_retry.as_ref().map(|_| "<callback>"))
            .field(
                "on_response",
                &self.on_response.as_ref().map(|_| "<callback>"),
            )
            .finish()
    }
}

/// Status, kept headers and body bytes of an answer.
type Answer = (u16, Vec<(String, String)>, u64);

thread_local! {
    /// The answer of the attempt under way on this thread (status, kept headers,
    /// bytes), noted by the transport as it reads it.
    static ANSWER: RefCell<Option<Answer>> = const { RefCell::new(None) };
    /// The last finished attempt on this thread, for the listing that asked.
    static LAST: RefCell<Option<ResponseMeta>> = const { RefCell::new(None) };
}

/// The kept headers of an answer.
pub(crate) fn kept_headers(headers: &ureq::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| KEPT_HEADERS.contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

/// Note an answer's status, headers and body size (called by the transport).
pub(crate) fn note_answer(status: u16, headers: Vec<(String, String)>, bytes: u64) {
    ANSWER.with(|a| *a.borrow_mut() = Some((status, headers, bytes)));
}

/// Forget any answer noted before an attempt starts.
pub(crate) fn begin_attempt() {
    ANSWER.with(|a| *a.borrow_mut() = None);
}

/// Close an attempt: log its line, tell the `on_response` hook, and keep it as this
/// thread's last response.
pub(crate) fn end_attempt(
    hooks: &Hooks,
    path: &str,
    attempt: u32,
    elapsed: Duration,
) -> ResponseMeta {
    let (status, headers, bytes) = match ANSWER.with(|a| a.borrow_mut().take()) {
        Some((s, h, b)) => (Some(s), h, b),
        None => (None, Vec::new(), 0),
    };
    let meta = ResponseMeta {
        method: "GET",
        path: path.to_owned(),
        status,
        attempt,
        elapsed,
        bytes,
        headers,
    };
    log::info!(target: LOG_TARGET, "{meta}");
    if log::log_enabled!(target: LOG_TARGET, log::Level::Debug) && !meta.headers.is_empty() {
        let shown: Vec<String> = meta
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        log::debug!(target: LOG_TARGET, "  {}", shown.join("; "));
    }
    if let Some(hook) = &hooks.on_response {
        hook(&meta);
    }
    LAST.with(|l| *l.borrow_mut() = Some(meta.clone()));
    meta
}

/// Tell of a retry: a log line, and the hook if one is set.
pub(crate) fn retrying(
    hooks: &Hooks,
    response: ResponseMeta,
    error: &crate::Error,
    wait: Duration,
) {
    let event = RetryEvent {
        response,
        error: error.to_string(),
        wait,
    };
    log::warn!(target: LOG_TARGET, "{event}");
    if let Some(hook) = &hooks.on_retry {
        hook(&event);
    }
}

/// The last attempt finished on this thread (taken: each page reads its own).
pub(crate) fn take_last() -> Option<ResponseMeta> {
    LAST.with(|l| l.borrow_mut().take())
}
