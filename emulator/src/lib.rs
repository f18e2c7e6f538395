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
//! emu.inject(Fault { kind: FaultKind::Status { status: 503, retry_after: Some(1) }, count: 2, path_prefix: None });
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

mod api;
mod data;
mod http;
mod store;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

pub const DEFAULT_USERNAME: &str = "emulator@plumlogs.test";
pub const DEFAULT_PASSWORD: &str = "plumlogs-emulator";

/// Most calls per day the emulator generates (log ids carry a day and an index).
pub const MAX_CALLS_PER_DAY: u32 = data::LOG_IDS_PER_DAY as u32;

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// This status (500, 503, 429, …) with a failure envelope, and `Retry-After` when given.
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u32>,
    },
    /// Answer correctly, after a delay.
    Slow { delay_ms: u64 },
    /// `Content-Length` of the full body, half the body, then the connection closes.
    Truncated,
    /// 200 with a body that is neither JSON nor XML.
    Malformed,
    /// This status with a failure body written exactly as Plum's docs print one: in
    /// JSON with the trailing comma that makes it invalid JSON (a client must still
    /// read the message out of it); in XML the documented form.
    DocumentedFailure { status: u16 },
    /// Close the connection without answering.
    Drop,
}

/// A request the emulator received (control requests excepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Lowercased names; repeated headers joined with `", "`. The credentials of
    /// `Authorization` are replaced by `<redacted>` (`"Basic <redacted>"`).
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
    /// Bind 127.0.0.1 and start serving in background threads.
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
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
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
        let server = http::Server::bind(config.port, app.clone())?;
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

    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    pub fn username(&self) -> &str {
        &self.app.username
    }

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
    pub fn inject(&self, fault: Fault) {
        self.app.inject(fault, 1)
    }

    /// Queue a fault for a fraction of the traffic: it answers every `every`-th
    /// matching request (the `every`-th, `2·every`-th, …) until its `count` is
    /// spent; the requests in between are served normally. Deterministic, unlike a
    /// random fraction, so tests can count on it. `every` 0 is taken as 1.
    pub fn inject_every(&self, fault: Fault, every: u32) {
        self.app.inject(fault, every)
    }

    /// Faults still queued.
    pub fn faults(&self) -> Vec<Fault> {
        self.app.faults()
    }

    pub fn clear_faults(&self) {
        self.app.clear_faults()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests()
    }

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
