//! # plumlogs-emulator
//!
//! A faithful stand-in for Plum Voice's Call Log REST API on loopback: a real
//! HTTP/1.1 server with the four documented services, Basic auth, JSON and XML,
//! the documented parameter rules and retention windows, `offset`/`limit` paging,
//! `number` filtering, deterministic synthetic data, and fault injection.
//!
//! ```no_run
//! use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
//! let emu = Emulator::start(EmulatorConfig { seed: 7, ..Default::default() }).unwrap();
//! println!("{} as {} / {}", emu.base_url(), emu.username(), emu.password());
//! emu.try_inject(Fault { kind: FaultKind::Status { status: 503, retry_after: Some(1) }, count: 2, path_prefix: None }).unwrap();
//! emu.stop();
//! ```
//!
//! ## What it serves
//!
//! - `GET /ws/calls/sessions/{start}/{end}`, `/ws/calls/errors/{start}/{end}`,
//!   `/ws/calls/logs/{start}/{end}` and `/ws/calls/log/{log_id}`, in the canonical
//!   shapes of `plumlogs::encode` (JSON unless `Accept` names XML).
//! - A window holds the calls with `start <= callStart < end` that have ended by
//!   the emulator's clock, in ascending `callStart`; each call's session lines are
//!   its call line, its `fetchurl` line, then its `<log>`-tag lines. `total_*`
//!   counts every match in the window, not just the page.
//! - `number` (or `numbers`, comma-separated) keeps calls whose ANI **or** DNIS
//!   matches: digits are compared without punctuation or a leading US `1`, e-mail
//!   logins (the DNIS of outbound calls) case-insensitively. This way "calls to
//!   this number" finds inbound calls by DNIS and outbound calls by the dialled number.
//! - Failures (all with a `failure` envelope in the asked-for format): 400 for a bad
//!   parameter, 401 (with `WWW-Authenticate: Basic realm="Plum DEV"`) for missing or
//!   wrong credentials, 404 for an unknown path or log id, 405 for a method other
//!   than GET.
//! - Data for a day depends only on (seed, day index, calls per day); days are
//!   generated when a query touches them, so a year costs no more memory than a page.
//!
//! ## Control API (same port, no auth, JSON)
//!
//! `POST /__emulator/faults` (a [`Fault`] as JSON, e.g.
//! `{"kind":"status","status":503,"retry_after":1,"count":2}`, optionally with
//! `"every": N` as in [`Emulator::inject_every`]), `GET`/`DELETE
//! /__emulator/faults`, `GET`/`DELETE /__emulator/requests`, `GET`/`POST
//! /__emulator/clock` (`{"now": 1700000000}` or `{"now": null}`), `GET
//! /__emulator/health`, `GET /__emulator/config`. Control requests are neither
//! recorded nor subject to faults.

#![warn(missing_docs)]

mod api;
mod data;
mod http;
mod store;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

/// The Basic-auth login an [`EmulatorConfig::default`] emulator accepts.
pub const DEFAULT_USERNAME: &str = "emulator@plumlogs.test";
/// The Basic-auth password an [`EmulatorConfig::default`] emulator accepts.
pub const DEFAULT_PASSWORD: &str = "plumlogs-emulator";

/// Most calls per day the emulator generates (log ids carry a day and an index).
pub const MAX_CALLS_PER_DAY: u32 = data::LOG_IDS_PER_DAY as u32;

/// Longest `delay_ms` a [`FaultKind::Slow`] may ask for: one minute.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Most faults queued at once; injecting one more is an error.
pub const MAX_QUEUED_FAULTS: usize = 1_000;
/// Most requests the request log keeps (the oldest go first).
pub const MAX_RECORDED_REQUESTS: usize = api::MAX_RECORDED;
/// Most bytes the request log keeps, counted as the JSON `GET
/// /__emulator/requests` serves (the oldest go first).
pub const MAX_RECORDED_BYTES: usize = api::MAX_RECORDED_BYTES;

/// Bounds on what one client can hold of the server. [`Default`] gives the values
/// [`Emulator::start`] uses; [`Emulator::start_with_limits`] takes others (tests
/// use small ones to reach the bounds with a few sockets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections served at once. When every slot is taken a new connection
    /// evicts the connection that has waited longest for (or on) a request; when
    /// every slot is answering a request it gets `503` and is closed. Default 1,024.
    pub max_connections: usize,
    /// How long a kept-alive connection may wait for the first byte of its next
    /// request before it is closed. Default 30 s.
    pub idle_timeout: std::time::Duration,
    /// How long a request may take to arrive whole (head and body) from its first
    /// byte; later, it is answered `408` and the connection closed. Default 10 s.
    pub request_timeout: std::time::Duration,
    /// How long one write of a response may block on a client that does not read;
    /// then the connection is closed. Default 30 s.
    pub write_timeout: std::time::Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 1024,
            idle_timeout: std::time::Duration::from_secs(30),
            request_timeout: std::time::Duration::from_secs(10),
            write_timeout: std::time::Duration::from_secs(30),
        }
    }
}

impl ServerLimits {
    fn validate(&self) -> Result<(), String> {
        if self.max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        for (name, d) in [
            ("idle_timeout", self.idle_timeout),
            ("request_timeout", self.request_timeout),
            ("write_timeout", self.write_timeout),
        ] {
            if d.is_zero() {
                return Err(format!("{name} must be more than 0"));
            }
        }
        Ok(())
    }
}

/// How to start an [`Emulator`]: its data, credentials, port and clock.
/// [`Default`] gives the values each field names.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Seed of the synthetic account and its calls. Default 7.
    pub seed: u64,
    /// Calls per day, 0..=[`MAX_CALLS_PER_DAY`]. Default 2000.
    pub calls_per_day: u32,
    /// Default [`DEFAULT_USERNAME`].
    pub username: String,
    /// Default [`DEFAULT_PASSWORD`].
    pub password: String,
    /// 0 = any free port (default).
    pub port: u16,
    /// A fixed "now" in UNIX seconds (1970 to 9999); `None` = system time.
    pub clock: Option<i64>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: 7,
            calls_per_day: 2000,
            username: DEFAULT_USERNAME.to_string(),
            password: DEFAULT_PASSWORD.to_string(),
            port: 0,
            clock: None,
        }
    }
}

/// A fault to inject into the next `count` requests whose path starts with
/// `path_prefix` (any non-control request when `None`). As JSON the kind's fields
/// sit beside `count`: `{"kind":"status","status":503,"retry_after":1,"count":2}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What the fault does to a request it answers.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests this fault answers. Default 1.
    #[serde(default = "one")]
    pub count: u32,
    /// e.g. `"/ws/calls/sessions"`.
    #[serde(default)]
    pub path_prefix: Option<String>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// `kind` for the next matching request only.
    pub fn once(kind: FaultKind) -> Fault {
        Fault {
            kind,
            count: 1,
            path_prefix: None,
        }
    }
    /// `kind` for the next `count` matching requests.
    pub fn times(kind: FaultKind, count: u32) -> Fault {
        Fault {
            kind,
            count,
            path_prefix: None,
        }
    }
    /// Only requests whose path starts with `prefix`.
    pub fn on_path(mut self, prefix: impl Into<String>) -> Fault {
        self.path_prefix = Some(prefix.into());
        self
    }
}

/// Why a fault was refused: the field and the rule it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultError {
    /// The offending field (`status`, `delay_ms`, `count`, `every`), or `queue`.
    pub field: &'static str,
    /// What was wrong, with the value given.
    pub reason: String,
}

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid fault: {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for FaultError {}

fn fault_error(field: &'static str, reason: String) -> FaultError {
    FaultError { field, reason }
}

/// A status a `status` or `documented_failure` fault may answer with: a final
/// status (200..=599) whose response can carry the failure body. 1xx statuses are
/// interim, and 204, 205 and 304 responses have no content; a body after their head
/// would be read as the start of the next response on the connection.
fn check_status(status: u16) -> Result<(), FaultError> {
    if !(100..=599).contains(&status) {
        return Err(fault_error(
            "status",
            format!("{status} is not an HTTP status (100..=599)"),
        ));
    }
    if http::bodiless(status) {
        return Err(fault_error(
            "status",
            format!(
                "{status} cannot carry the failure body (1xx, 204, 205 and 304 responses have no content)"
            ),
        ));
    }
    Ok(())
}

impl Fault {
    /// Check the fault against the emulator's rules: `count` at least 1, a status
    /// in 200..=599 that can carry a body (not 204, 205 or 304), `delay_ms` at most
    /// [`MAX_DELAY_MS`].
    pub fn validate(&self) -> Result<(), FaultError> {
        if self.count == 0 {
            return Err(fault_error("count", "must be at least 1, got 0".into()));
        }
        match &self.kind {
            FaultKind::Status { status, .. } | FaultKind::DocumentedFailure { status } => {
                check_status(*status)
            }
            FaultKind::Slow { delay_ms } if *delay_ms > MAX_DELAY_MS => Err(fault_error(
                "delay_ms",
                format!("must be at most {MAX_DELAY_MS} (one minute), got {delay_ms}"),
            )),
            _ => Ok(()),
        }
    }
}

/// What a fault does. As JSON, `kind` names the variant in snake_case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// This status (500, 503, 429, …; 200..=599 but not 204, 205 or 304) with a
    /// failure envelope, and `Retry-After` when given.
    Status {
        /// The HTTP status to answer with.
        status: u16,
        /// Seconds to send in `Retry-After`; `None` sends no such header.
        #[serde(default)]
        retry_after: Option<u32>,
    },
    /// Answer correctly, after `delay_ms` milliseconds (at most [`MAX_DELAY_MS`]).
    Slow {
        /// Milliseconds to wait before answering.
        delay_ms: u64,
    },
    /// `Content-Length` of the full body, half the body, then the connection closes.
    Truncated,
    /// 200 with a body that is neither JSON nor XML.
    Malformed,
    /// This status with a failure body written exactly as Plum's docs print one: in
    /// JSON with the trailing comma that makes it invalid JSON (a client must still
    /// read the message out of it); in XML the documented form. `status` follows
    /// the rule of [`FaultKind::Status`].
    DocumentedFailure {
        /// The HTTP status to answer with.
        status: u16,
    },
    /// Close the connection without answering.
    Drop,
}

/// A request the emulator received (control requests excepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Cut to 1,024 bytes, like `path` and `query`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, without `?`, cut to 1,024 bytes.
    pub query: String,
    /// Lowercased names; repeated headers joined with `", "`; the first 32 names
    /// kept, each value cut to 256 bytes (a cut value ends `… (N bytes)`). `Authorization` is
    /// redacted whole: `"Basic <redacted>"` (`Bearer`, `Digest` alike) when the
    /// value is a known scheme, one space and credentials; `"<redacted>"` for any
    /// other shape.
    pub headers: BTreeMap<String, String>,
    /// The Basic-auth username sent, if any.
    pub username: Option<String>,
    /// The emulator's clock when the request arrived (UNIX seconds).
    pub time: i64,
}

impl RecordedRequest {
    /// A header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// A running emulator. Stops when dropped.
pub struct Emulator {
    app: Arc<api::App>,
    server: http::Server,
    base_url: String,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("username", &self.app.username)
            .finish()
    }
}

impl Emulator {
    /// Bind 127.0.0.1 and start serving in background threads, with the default
    /// [`ServerLimits`].
    ///
    /// ```
    /// use plumlogs_emulator::{Emulator, EmulatorConfig};
    /// let emu = Emulator::start(EmulatorConfig { seed: 7, calls_per_day: 50, clock: Some(1_780_000_000), ..Default::default() })?;
    /// let client = plumlogs::Client::builder()
    ///     .username(emu.username())
    ///     .password(emu.password())
    ///     .base_url(emu.base_url()) // http is allowed on loopback
    ///     .clock(|| 1_780_000_000)
    ///     .build()
    ///     .unwrap();
    /// let end = 1_780_000_000;
    /// let calls = client.call_logs(&plumlogs::Query::new(end - 86_400, end)).unwrap();
    /// assert!(calls.count() > 0);
    /// emu.stop();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        Emulator::start_with_limits(config, ServerLimits::default())
    }

    /// [`Emulator::start`] with other bounds on connections and their timeouts.
    pub fn start_with_limits(config: EmulatorConfig, limits: ServerLimits) -> io::Result<Emulator> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        limits.validate().map_err(invalid)?;
        if config.calls_per_day > MAX_CALLS_PER_DAY {
            return Err(invalid(format!(
                "calls_per_day {} is above the maximum {MAX_CALLS_PER_DAY}",
                config.calls_per_day
            )));
        }
        if let Some(c) = config.clock.filter(|c| !api::CLOCK_RANGE.contains(c)) {
            return Err(invalid(format!(
                "clock {c} is outside 1970..=9999 (0..=253402300799 UNIX seconds)"
            )));
        }
        if config.username.contains(':') {
            return Err(invalid(
                "username must not contain ':' (HTTP Basic auth cannot carry it)".into(),
            ));
        }
        let store = store::Store::new(config.seed, config.calls_per_day);
        let app = Arc::new(api::App::new(
            store,
            config.username,
            config.password,
            config.clock,
        ));
        let server = http::Server::bind(config.port, app.clone(), limits)?;
        let base_url = format!("http://{}", server.addr());
        Ok(Emulator {
            app,
            server,
            base_url,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The loopback port the emulator listens on.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// The Basic-auth login it accepts.
    pub fn username(&self) -> &str {
        &self.app.username
    }

    /// The Basic-auth password it accepts.
    pub fn password(&self) -> &str {
        &self.app.password
    }

    /// The emulator's clock, UNIX seconds.
    pub fn now(&self) -> i64 {
        self.app.now()
    }

    /// Fix the clock (`Some`, clamped to 1970..=9999) or follow system time (`None`).
    pub fn set_clock(&self, unix: Option<i64>) {
        self.app.set_clock(unix)
    }

    /// Queue a fault; each matching request consumes one of its `count`.
    ///
    /// # Panics
    ///
    /// If the fault is invalid (see [`Fault::validate`]) or the queue is full
    /// ([`MAX_QUEUED_FAULTS`]); [`Emulator::try_inject`] returns the error instead.
    #[track_caller]
    pub fn inject(&self, fault: Fault) {
        if let Err(e) = self.try_inject(fault) {
            panic!("{e}");
        }
    }

    /// Queue a fault, or say why not: an invalid fault ([`Fault::validate`]) or a
    /// full queue ([`MAX_QUEUED_FAULTS`]) is refused, never adjusted.
    pub fn try_inject(&self, fault: Fault) -> Result<(), FaultError> {
        self.app.inject(fault, 1)
    }

    /// Queue a fault for a fraction of the traffic: it answers every `every`-th
    /// matching request (the `every`-th, `2·every`-th, …) until its `count` is
    /// spent; the requests in between are served normally. Deterministic, unlike a
    /// random fraction, so tests can count on it.
    ///
    /// # Panics
    ///
    /// As [`Emulator::inject`], and if `every` is 0.
    #[track_caller]
    pub fn inject_every(&self, fault: Fault, every: u32) {
        if let Err(e) = self.try_inject_every(fault, every) {
            panic!("{e}");
        }
    }

    /// [`Emulator::inject_every`], returning the error instead (`every` must be at
    /// least 1).
    pub fn try_inject_every(&self, fault: Fault, every: u32) -> Result<(), FaultError> {
        self.app.inject(fault, every)
    }

    /// Connection slots taken right now (see [`ServerLimits::max_connections`]):
    /// 0 once every client has closed and the server has noticed.
    pub fn open_connections(&self) -> usize {
        self.server.open_connections()
    }

    /// Wait up to `timeout` until every connection slot is free (clients closed
    /// and the server noticed); returns the slots still taken, 0 on success.
    pub fn wait_for_no_connections(&self, timeout: std::time::Duration) -> usize {
        self.server.wait_for_no_connections(timeout)
    }

    /// Faults still queued.
    pub fn faults(&self) -> Vec<Fault> {
        self.app.faults()
    }

    /// Drop every queued fault (as `DELETE /__emulator/faults` does).
    pub fn clear_faults(&self) {
        self.app.clear_faults()
    }

    /// The requests received so far, oldest first (control requests excepted). The
    /// log keeps at most [`MAX_RECORDED_REQUESTS`] requests and
    /// [`MAX_RECORDED_BYTES`]; the oldest go first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests()
    }

    /// Empty the request log (as `DELETE /__emulator/requests` does).
    pub fn clear_requests(&self) {
        self.app.clear_requests()
    }

    /// Stop serving: the port is closed and open connections are shut down.
    pub fn stop(self) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.shutdown();
    }
}

/// Entry points for the fuzz targets and the tests that replay their corpora; not
/// part of the stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Read `data` as a stream of pipelined requests, as a connection would: per
    /// request its body length, or the status it would be answered with (0 when
    /// the input ends mid-request). Panics only if the reader broke one of its own
    /// bounds, which is what the fuzz target looks for.
    pub fn read_requests(data: &[u8]) -> Vec<Result<usize, u16>> {
        crate::http::read_requests_from(data)
    }
}
